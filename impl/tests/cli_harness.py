# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Shared by the rtprm CLI contract tests (test_cli*.py): run the binary and
count named checks. A test sets RTPRM, calls run()/check(), and ends with
sys.exit(finish())."""
import subprocess

RTPRM = None
_counts = {"checks": 0, "failures": 0}


def run(*args):
    """(exit code, stdout, stderr) of `rtprm ARGS...`."""
    p = subprocess.run([RTPRM, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    _counts["checks"] += 1
    print(f"{'ok  ' if cond else 'FAIL'} {name}{'' if cond else ': ' + detail}")
    _counts["failures"] += 0 if cond else 1


def finish():
    """Prints the tally; the exit status for sys.exit (1 on any failure)."""
    c, f = _counts["checks"], _counts["failures"]
    print(f"{c - f}/{c} checks passed, {f} failed")
    return 1 if f else 0
