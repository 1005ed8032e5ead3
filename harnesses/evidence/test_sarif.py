#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""SARIF self-test: tools/evidence/sarif.py --from-log turns sanitizer reports
into SARIF 2.1.0 with stable rule ids and CWE tags, and an empty log into a
valid empty run. Structural checks follow the 2.1.0 schema's required members."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOG = """==11==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000015 at pc 0x1 bp 0x2 sp 0x3
READ of size 1 at 0x602000000015 thread T0
    #0 0x55d in rp_read_bytes ROOT/impl/base/bytes.c:40:7
    #1 0x55e in main ROOT/fuzz/replay_main.c:50:3
==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x603000000010 at pc 0x1 bp 0x2 sp 0x3
    #0 0x55d in rp_memmap_get ROOT/impl/memmap/memmap.c:28:3
==13==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x1 bp 0x2 sp 0x3 T0)
    #0 0x55d in rp_pe_parse ROOT/impl/pecoff/pe_parse.c:90:3
ROOT/impl/base/fmt.c:12:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'
==14==ERROR: LeakSanitizer: detected memory leaks
Direct leak of 16 byte(s) in 1 object(s) allocated from:
    #0 0x1 in malloc (/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so+0x1)
    #1 0x55d in replay_file ROOT/fuzz/replay_main.c:40:3
oracle violated: st == ref.status (ROOT/fuzz/fuzz_memmap.c:114)
"""
EXPECT = {"heap-buffer-overflow": "CWE-122", "heap-use-after-free": "CWE-416", "null-deref": "CWE-476",
          "integer-overflow": "CWE-190", "memory-leak": "CWE-401", "oracle-violation": "CWE-684"}


def valid(doc, bad):
    def check(cond, what):
        if not cond:
            bad.append(what)
    check(doc.get("version") == "2.1.0" and "sarif-2.1.0" in doc.get("$schema", ""), "version/$schema")
    for run in doc.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        check(bool(run["tool"]["driver"].get("name")), "tool.driver.name")
        for r in run.get("results", []):
            check(r["message"]["text"] and r["ruleId"] == rules[r["ruleIndex"]]["id"], f"result rule {r.get('ruleId')}")
            region = r["locations"][0]["physicalLocation"]["region"]
            check(region["startLine"] >= 1 and not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  .startswith("/"), "relative uri, startLine >= 1")
            check(r["partialFingerprints"]["primaryLocationLineHash"], "fingerprint")


def main():
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        log, empty = os.path.join(tmp, "san.log"), os.path.join(tmp, "empty.log")
        open(log, "w").write(LOG.replace("ROOT", ROOT))
        open(empty, "w").write("all fine\n")
        for src, n in ((log, len(EXPECT)), (empty, 0)):
            out = src + ".sarif"
            subprocess.run([sys.executable, os.path.join(ROOT, "tools", "evidence", "sarif.py"), "--from-log", src,
                            "--out", out], check=True)
            doc = json.load(open(out))
            valid(doc, bad)
            results = doc["runs"][0]["results"]
            if len(results) != n:
                bad.append(f"{os.path.basename(src)}: {len(results)} results, expected {n}")
            rules = {r["id"]: r["properties"]["tags"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
            for rule, cwe in EXPECT.items() if n else ():
                if cwe not in rules.get(rule, []):
                    bad.append(f"rule {rule} missing or without {cwe}: {rules.get(rule)}")
            if n:
                first = results[0]["locations"][0]["physicalLocation"]
                if (first["artifactLocation"]["uri"], first["region"]["startLine"]) != ("impl/base/bytes.c", 40):
                    bad.append(f"heap overflow located at {first}")
    for b in bad:
        print("FAIL " + b)
    print(f"{len(bad)} failed" if bad else "sarif self-test: all checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
