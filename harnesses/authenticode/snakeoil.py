# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Signing with Debian's snakeoil Secure Boot key (package ovmf): the key
that OVMF_VARS_4M.snakeoil.fd enrolls in PK, KEK and db, with its
certificate, shipped for testing (/usr/share/ovmf/PkKek-1-snakeoil.*,
passphrase "snakeoil" per the package's README.Debian). The key is
decrypted into a caller's temporary directory only; nothing here writes a
key anywhere else, and the project commits none."""
import os
import subprocess

KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"
CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"
PASSPHRASE = "snakeoil"
CODE_X64 = "/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd"
VARS_X64 = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"


def _run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit("snakeoil: %s failed: %s" % (" ".join(cmd[:2]), r.stdout.strip()))
    return r


def decrypt_key(tmp):
    """The private key without its passphrase, mode 0600, inside tmp."""
    key = os.path.join(tmp, "snakeoil.key")
    _run(["openssl", "rsa", "-in", KEY, "-passin", "pass:" + PASSPHRASE, "-out", key])
    os.chmod(key, 0o600)
    return key


def sign(key, src, dst):
    """sbsign src with the snakeoil key into dst."""
    _run(["sbsign", "--key", key, "--cert", CERT, "--output", dst, src])
    return dst


def resign(key, src, dst):
    """dst = src with every signature it had removed, then snakeoil-signed
    (Debian's own kernel signature chains to a CA the snakeoil db lacks)."""
    bare = dst + ".unsigned"
    _run(["cp", src, bare])
    subprocess.run(["sbattach", "--remove", bare], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sign(key, bare, dst)
    os.unlink(bare)
    return dst
