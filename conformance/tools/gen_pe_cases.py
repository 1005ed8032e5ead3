#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Turns corpus/pe-malformed/manifest.json into the C case table of the
"pe-malformed" conformance group (cases/pe_malformed_cases.c includes it).

  gen_pe_cases.py --manifest M --corpus DIR --reasons reasons.def
                  --catalog requirements/pecoff.json --out pe_malformed_table.inc

Run by CMake at build time, so the table can never drift from the manifest.
The build fails (exit 1) when the manifest and this script disagree:
  - a class's expect_reason is not in REASONS below (no status or
    requirement is known for it) or not in reasons.def;
  - a stage is unknown, a relocate-stage class lacks new_base, or another
    stage has one;
  - a manifest file is missing from the corpus directory, or a .efi in the
    directory is not in the manifest, or a file name repeats;
  - a requirement named here is not in the catalog.
Case IDs are PE-M-<class> (classes are never renamed, so adding a class
never renumbers another case).
"""
import argparse
import json
import os
import re
import sys

# reason -> (expected EFI_STATUS, requirement IDs). The status is the one the
# library documents for the reason (pe_*.c RP_REJECT sites, docs/pecoff.md).
REASONS = {
    "NONE": ("EFI_SUCCESS", ""),
    "PE_TOO_SMALL": ("EFI_LOAD_ERROR", "PE-001"),
    "PE_DOS_MAGIC": ("EFI_LOAD_ERROR", "PE-001"),
    "PE_LFANEW_RANGE": ("EFI_LOAD_ERROR", "PE-001"),
    "PE_SIGNATURE": ("EFI_LOAD_ERROR", "PE-001"),
    "PE_TE_STRIPPED_SIZE": ("EFI_LOAD_ERROR", "PE-051"),
    "PE_TE_IMAGE_BASE": ("EFI_LOAD_ERROR", "PE-051"),
    "PE_MACHINE": ("EFI_UNSUPPORTED", "PE-002"),
    "PE_SECTION_COUNT": ("EFI_LOAD_ERROR", "PE-008"),
    "PE_OPT_HDR_SIZE": ("EFI_LOAD_ERROR", "PE-004"),
    "PE_OPT_MAGIC": ("EFI_UNSUPPORTED", "PE-003"),
    "PE_MAGIC_MACHINE": ("EFI_UNSUPPORTED", "PE-003"),
    "PE_NUM_RVA_SIZES": ("EFI_UNSUPPORTED", "PE-004"),
    "PE_ALIGNMENT": ("EFI_LOAD_ERROR", "PE-006"),
    "PE_IMAGE_BASE_ALIGN": ("EFI_LOAD_ERROR", "PE-028"),
    "PE_SIZE_OF_IMAGE_ALIGN": ("EFI_LOAD_ERROR", "PE-054"),
    "PE_SIZE_OF_IMAGE": ("EFI_LOAD_ERROR", "PE-007"),
    "PE_SIZE_OF_HEADERS": ("EFI_LOAD_ERROR", "PE-007"),
    "PE_SECTION_ORDER": ("EFI_LOAD_ERROR", "PE-008"),
    "PE_SECTION_RANGE": ("EFI_LOAD_ERROR", "PE-008"),
    "PE_SECTION_ALIGN": ("EFI_LOAD_ERROR", "PE-055"),
    "PE_SECTION_OVER_HEADERS": ("EFI_LOAD_ERROR", "PE-008"),
    "PE_SECTION_RAW_RANGE": ("EFI_LOAD_ERROR", "PE-009"),
    "PE_DIR_RANGE": ("EFI_LOAD_ERROR", "PE-010"),
    "PE_ENTRY_RANGE": ("EFI_LOAD_ERROR", "PE-011"),
    "PE_SECTION_WX": ("EFI_SECURITY_VIOLATION", "PE-029"),
    "PE_RELOCS_STRIPPED": ("EFI_LOAD_ERROR", "PE-033"),
    "PE_RELOCS_ABSENT": ("EFI_LOAD_ERROR", "PE-057"),
    "PE_NEW_BASE": ("EFI_INVALID_PARAMETER", "PE-040"),
    "PE_RELOC_DIR_ALIGN": ("EFI_LOAD_ERROR", "PE-058"),
    "PE_RELOC_DIR_SIZE": ("EFI_LOAD_ERROR", "PE-032"),
    "PE_RELOC_BLOCK_SMALL": ("EFI_LOAD_ERROR", "PE-013"),
    "PE_RELOC_BLOCK_ALIGN": ("EFI_LOAD_ERROR", "PE-056"),
    "PE_RELOC_BLOCK_ODD": ("EFI_LOAD_ERROR", "PE-013"),
    "PE_RELOC_BLOCK_OVERRUN": ("EFI_LOAD_ERROR", "PE-013"),
    "PE_RELOC_DIR_TRAILING": ("EFI_LOAD_ERROR", "PE-013"),
    "PE_RELOC_PAGE_RANGE": ("EFI_LOAD_ERROR", "PE-013"),
    "PE_RELOC_TYPE": ("EFI_UNSUPPORTED", "PE-014"),
    "PE_RELOC_TYPE_UNSUPPORTED": ("EFI_UNSUPPORTED", "PE-034"),
    "PE_RELOC_TARGET_RANGE": ("EFI_LOAD_ERROR", "PE-015"),
    "PE_RELOC_TARGET_HEADERS": ("EFI_LOAD_ERROR", "PE-015"),
    "PE_RELOC_TARGET_RELOC_DIR": ("EFI_LOAD_ERROR", "PE-015"),
    "PE_EXPORT_NONE": ("EFI_NOT_FOUND", "PE-021"),
    "PE_EXPORT_DIR_SIZE": ("EFI_LOAD_ERROR", "PE-021"),
    "PE_EXPORT_TABLE_RANGE": ("EFI_LOAD_ERROR", "PE-021"),
    "PE_EXPORT_COUNT": ("EFI_LOAD_ERROR", "PE-021"),
    "PE_EXPORT_NAME_RANGE": ("EFI_LOAD_ERROR", "PE-022"),
    "PE_EXPORT_NAME_UNTERMINATED": ("EFI_LOAD_ERROR", "PE-022"),
    "PE_EXPORT_ORDINAL": ("EFI_LOAD_ERROR", "PE-023"),
    "PE_EXPORT_RVA_RANGE": ("EFI_LOAD_ERROR", "PE-046"),
}

# Classes that check more than their reason's requirement.
EXTRA = {
    "lfanew-zero": "PE-027",
    "sizeofimage-too-small": "PE-007",
    "numrva-0-must-move": "PE-005",
    "numrva-5-must-move": "PE-005",
    "ia32-reloc-dir64": "PE-035 PE-014",
    "export-functions-count-overflow": "PE-047",
    "te-signature": "PE-051 PE-052",
    "te-moves-half-page": "PE-052",
    "te-no-relocs-must-move": "PE-052",
    "te-pic-moves": "PE-052",
    "te-table-truncated": "PE-051",
    "te-section-in-stripped": "PE-051",
    "te-reloc-in-stripped": "PE-051",
}

# Every finding is reported under COMPAT and rejected under STRICT
# (docs/pecoff.md §1): both cases check this requirement too.
FINDING_REQ = "PE-053"

# Per stage: requirements every case of the stage checks (relocate: nothing
# written on rejection, and the runtime pass rejects the same input the same
# way; the exec function checks both).
STAGE_REQS = {"parse": "", "relocate": "PE-016 PE-020", "exports": ""}
STAGES = {"parse": "PE_STAGE_PARSE", "relocate": "PE_STAGE_RELOCATE", "exports": "PE_STAGE_EXPORTS"}


def c_string(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            # UTF-8 bytes as octal escapes: never run into the next character
            out.append("".join("\\%03o" % b for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--reasons", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)

    problems = []
    with open(a.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    with open(a.reasons, encoding="utf-8") as f:
        known_reasons = set(re.findall(r"^RP_REASON\((\w+),", f.read(), re.M))
    with open(a.catalog, encoding="utf-8") as f:
        catalog = {r["id"] for r in json.load(f)["requirements"] if not r.get("retired")}

    files = [e.get("file") for e in manifest]
    for fname in sorted({f for f in files if files.count(f) > 1}):
        problems.append("file %s repeats in the manifest" % fname)
    on_disk = {f for f in os.listdir(a.corpus) if f.endswith(".efi")}
    for fname in sorted(on_disk - set(files)):
        problems.append("%s is in %s but not in the manifest" % (fname, a.corpus))

    rows = []
    for n, e in enumerate(sorted(manifest, key=lambda e: e.get("file", "")), 1):
        cls, fname, stage, reason = e.get("class"), e.get("file"), e.get("stage"), e.get("expect_reason")
        if fname not in on_disk:
            problems.append("%s: file %s is missing from %s" % (cls, fname, a.corpus))
        if fname != "%s.efi" % cls:
            problems.append("%s: file %s does not match the class" % (cls, fname))
        if stage not in STAGES:
            problems.append("%s: unknown stage %r" % (cls, stage))
            continue
        if reason not in REASONS:
            problems.append("%s: reason %r has no expected status/requirement in gen_pe_cases.py" % (cls, reason))
            continue
        if reason not in known_reasons:
            problems.append("%s: reason %r is not in reasons.def" % (cls, reason))
        if (stage == "relocate") != ("new_base" in e):
            problems.append("%s: new_base must be given exactly for the relocate stage" % cls)
        if reason == "NONE" and cls not in EXTRA and not e.get("expect_findings"):
            problems.append("%s: an accepted class needs its requirement in EXTRA" % cls)
        new_base = int(e.get("new_base", "0"), 16)
        findings = e.get("expect_findings", [])
        strict = e.get("expect_reason_strict")
        for f in findings + ([strict] if strict else []):
            if f not in REASONS or f not in known_reasons:
                problems.append("%s: finding/strict reason %r is unknown" % (cls, f))
        if problems:
            continue
        base_title = "%s: %s" % (cls, e.get("description", ""))
        variants = [("", "RP_PE_PROFILE_COMPAT", reason, findings)]
        if strict:
            variants.append(("-strict", "RP_PE_PROFILE_STRICT", strict, []))
        for suffix, profile, why, finds in variants:
            status, reqs = REASONS[why]
            req_list = []
            stage_reqs = STAGE_REQS[stage] if why != "NONE" else ""
            extra = " ".join(REASONS[f][1] for f in finds)
            if finds or strict:
                extra += " " + FINDING_REQ
            for r in (reqs + " " + EXTRA.get(cls, "") + " " + extra + " " + stage_reqs).split():
                if r not in req_list:
                    req_list.append(r)
            for r in req_list:
                if r not in catalog:
                    problems.append("%s: requirement %s is not in %s" % (cls, r, a.catalog))
            title = base_title + (" [STRICT]" if suffix else "")
            rows.append("  PE_M(%s, %s, %s, %s, %s, %s, %s, 0x%xull, %s, %s),"
                        % (c_string("PE-M-" + cls + suffix), c_string(" ".join(req_list)), c_string(title), status,
                           why, c_string(fname), STAGES[stage], new_base, profile, c_string(" ".join(finds))))

    if problems:
        for p in problems:
            print("gen_pe_cases: ERROR %s" % p, file=sys.stderr)
        return 1
    text = ("/* Generated by conformance/tools/gen_pe_cases.py from corpus/pe-malformed/manifest.json.\n"
            " * Do not edit: change the manifest (corpus/tools/gen_pe_malformed.py) or the script. */\n"
            "/* PE_M(id, requirements, title, status, reason, file, stage, new_base, profile, findings) */\n"
            + "\n".join(rows) + "\n")
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.out)
    print("gen_pe_cases: %d cases -> %s" % (len(rows), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
