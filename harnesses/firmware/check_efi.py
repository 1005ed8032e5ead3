#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Static checks of the project's PE32+ UEFI images (PE/COFF spec, UEFI 2.10 §2.1.1).

Usage:
  check_efi.py --arch x64|aa64 [--manifest efi_manifest.json] IMAGE.efi...
  check_efi.py --selftest --arch x64 IMAGE.efi   # the checker catches broken images

Each image is looked up in the manifest by its base name (RtprmHello.efi ->
"RtprmHello") for the expected subsystem. One verdict line is printed per
check; the exit status is 1 when any check of any image fails (a missing
image is a failure, never a skip) and 2 on a usage or environment problem.

Needs pefile: run with Debian's /usr/bin/python3 (package python3-pefile).
"""
import argparse
import json
import os
import struct
import sys

try:
    import pefile
except ImportError:  # pragma: no cover - environment problem, not an image problem
    sys.stdout.write("FAIL  environment: python module 'pefile' is not importable by %s; "
                     "run under Debian's /usr/bin/python3 with python3-pefile installed\n"
                     % sys.executable)
    sys.exit(2)

MACHINES = {"x64": 0x8664, "aa64": 0xAA64}
SUBSYSTEMS = {"efi_application": 10, "efi_boot_service_driver": 11, "efi_runtime_driver": 12}

PE32PLUS_MAGIC = 0x20B
IMAGE_FILE_RELOCS_STRIPPED = 0x0001
SCN_MEM_EXECUTE = 0x20000000
SCN_MEM_READ = 0x40000000
SCN_MEM_WRITE = 0x80000000
REL_ABSOLUTE = 0
REL_DIR64 = 10
REL_NAMES = {0: "ABSOLUTE", 1: "HIGH", 2: "LOW", 3: "HIGHLOW", 4: "HIGHADJ", 5: "ARCH5",
             7: "ARCH7", 8: "ARCH8", 9: "ARCH9", 10: "DIR64"}
DIR_IMPORT, DIR_SECURITY, DIR_BASERELOC, DIR_BOUND_IMPORT, DIR_IAT, DIR_DELAY_IMPORT = 1, 4, 5, 11, 12, 13
DIR_NAMES = ["EXPORT", "IMPORT", "RESOURCE", "EXCEPTION", "SECURITY", "BASERELOC", "DEBUG",
             "ARCHITECTURE", "GLOBALPTR", "TLS", "LOAD_CONFIG", "BOUND_IMPORT", "IAT",
             "DELAY_IMPORT", "CLR_RUNTIME", "RESERVED"]

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MANIFEST = os.path.join(HERE, "efi_manifest.json")


def is_pow2(v):
    return v > 0 and (v & (v - 1)) == 0


def align_up(v, a):
    return (v + a - 1) & ~(a - 1)


def sec_name(s):
    return s.Name.rstrip(b"\0").decode("ascii", "replace") or "?"


def sec_vsize(s):
    return s.Misc_VirtualSize or s.SizeOfRawData


def section_of(pe, rva):
    for s in pe.sections:
        if s.VirtualAddress <= rva < s.VirtualAddress + sec_vsize(s):
            return s
    return None


def data_dir(pe, idx):
    dirs = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    if idx >= len(dirs) or idx >= pe.OPTIONAL_HEADER.NumberOfRvaAndSizes:
        return 0, 0
    return dirs[idx].VirtualAddress, dirs[idx].Size


def parse_relocs(pe):
    """Returns (entries, problems): entries = [(rva, type)], problems = [text]."""
    rva, size = data_dir(pe, DIR_BASERELOC)
    entries, problems = [], []
    if rva == 0 or size == 0:
        return entries, problems
    try:
        blob = pe.get_data(rva, size)
    except pefile.PEFormatError as e:
        return entries, ["base relocation directory unreadable: %s" % e]
    if len(blob) != size:
        problems.append("base relocation directory truncated (%d of %d bytes)" % (len(blob), size))
    off = 0
    while off + 8 <= len(blob):
        page, bsize = struct.unpack_from("<II", blob, off)
        if bsize < 8 or bsize % 2 or off + bsize > len(blob):
            problems.append("bad relocation block at directory offset %#x (size %#x)" % (off, bsize))
            break
        if page % 4096:
            problems.append("relocation block page RVA %#x is not 4 KiB aligned" % page)
        for i in range((bsize - 8) // 2):
            (e,) = struct.unpack_from("<H", blob, off + 8 + 2 * i)
            entries.append((page + (e & 0xFFF), e >> 12))
        off += bsize
    if off != len(blob) and not problems:
        problems.append("%d trailing bytes after the last relocation block" % (len(blob) - off))
    return entries, problems


def absolute_pointer_candidates(pe):
    """RVAs of 8-byte aligned qwords in non-executable sections whose value lies inside
    [ImageBase, ImageBase + SizeOfImage): absolute pointers into the image, which a loader
    can only fix up when a DIR64 relocation covers them."""
    base = pe.OPTIONAL_HEADER.ImageBase
    end = base + pe.OPTIONAL_HEADER.SizeOfImage
    reloc_rva, _ = data_dir(pe, DIR_BASERELOC)
    found = []
    for s in pe.sections:
        if s.Characteristics & SCN_MEM_EXECUTE:
            continue
        if s.VirtualAddress <= reloc_rva < s.VirtualAddress + sec_vsize(s):
            continue  # the .reloc section itself
        raw = s.get_data()[: min(s.SizeOfRawData, sec_vsize(s))]
        start = (-s.VirtualAddress) % 8
        for o in range(start, len(raw) - 7, 8):
            (v,) = struct.unpack_from("<Q", raw, o)
            if base <= v < end:
                found.append(s.VirtualAddress + o)
    return found


class Checker:
    def __init__(self, label, quiet=False):
        self.label = label
        self.quiet = quiet
        self.results = []  # (ok, check, detail)

    def add(self, ok, check, detail):
        self.results.append((ok, check, detail))
        if not self.quiet:
            sys.stdout.write("%s  %s %s: %s\n" % ("PASS" if ok else "FAIL", self.label, check, detail))

    def failed(self):
        return [c for ok, c, _ in self.results if not ok]


def check_image(data, label, arch, subsystem, quiet=False):
    """Runs every check on the image bytes; returns the Checker."""
    ck = Checker(label, quiet)
    try:
        pe = pefile.PE(data=bytes(data), fast_load=True)
    except pefile.PEFormatError as e:
        ck.add(False, "parse", "not a PE image: %s" % e)
        return ck
    oh, fh = pe.OPTIONAL_HEADER, pe.FILE_HEADER

    # 1. PE32+ (UEFI §2.1.1: PE32+ for 64-bit images)
    ck.add(oh.Magic == PE32PLUS_MAGIC, "pe32plus",
           "optional header magic %#x (want %#x PE32+)" % (oh.Magic, PE32PLUS_MAGIC))
    if oh.Magic != PE32PLUS_MAGIC:
        return ck

    # 2. machine
    want = MACHINES[arch]
    ck.add(fh.Machine == want, "machine", "machine %#x (want %#x for %s)" % (fh.Machine, want, arch))

    # 3. subsystem
    want_ss = SUBSYSTEMS[subsystem]
    ck.add(oh.Subsystem == want_ss, "subsystem",
           "subsystem %d (want %d %s)" % (oh.Subsystem, want_ss, subsystem))

    # 4. relocations not stripped (a UEFI loader must be free to place the image)
    ck.add(not fh.Characteristics & IMAGE_FILE_RELOCS_STRIPPED, "relocs-not-stripped",
           "file characteristics %#x, IMAGE_FILE_RELOCS_STRIPPED %s" %
           (fh.Characteristics, "set" if fh.Characteristics & IMAGE_FILE_RELOCS_STRIPPED else "clear"))

    # 5. base relocation directory: present when the image holds absolute pointers,
    #    well formed, only ABSOLUTE/DIR64, every target inside a section, and every
    #    absolute pointer found in data covered by a DIR64 entry.
    relocs, problems = parse_relocs(pe)
    r_rva, r_size = data_dir(pe, DIR_BASERELOC)
    candidates = absolute_pointer_candidates(pe)
    dir64 = {rva for rva, t in relocs if t == REL_DIR64}
    has_abs = bool(candidates) or bool(dir64)
    if problems:
        ck.add(False, "reloc-directory", "; ".join(problems))
    elif has_abs and not dir64:
        ck.add(False, "reloc-directory",
               "image holds %d absolute pointer(s) (first at RVA %#x) but the base relocation "
               "directory is %s" % (len(candidates), candidates[0] if candidates else 0,
                                    "absent" if r_size == 0 else "without DIR64 entries"))
    else:
        ck.add(True, "reloc-directory",
               "RVA %#x size %#x: %d entries, %d DIR64%s" %
               (r_rva, r_size, len(relocs), len(dir64),
                "" if has_abs else " (image has no absolute pointers)"))

    bad_types = sorted({t for _, t in relocs if t not in (REL_ABSOLUTE, REL_DIR64)})
    ck.add(not bad_types, "reloc-types",
           "only ABSOLUTE/DIR64" if not bad_types else
           "unexpected relocation types: %s" % ", ".join(REL_NAMES.get(t, str(t)) for t in bad_types))

    stray = [rva for rva in sorted(dir64)
             if section_of(pe, rva) is None or section_of(pe, rva + 7) is not section_of(pe, rva)]
    uncovered = [rva for rva in candidates if rva not in dir64]
    if stray:
        ck.add(False, "reloc-targets", "%d DIR64 target(s) outside any section (first RVA %#x)"
               % (len(stray), stray[0]))
    elif uncovered:
        ck.add(False, "reloc-targets", "%d absolute pointer(s) not covered by a DIR64 relocation "
               "(first at RVA %#x)" % (len(uncovered), uncovered[0]))
    else:
        ck.add(True, "reloc-targets", "%d DIR64 targets inside sections; %d absolute pointers in "
               "data, all covered" % (len(dir64), len(candidates)))

    # 6. no imports: firmware images link nothing dynamically
    present = [DIR_NAMES[i] for i in (DIR_IMPORT, DIR_BOUND_IMPORT, DIR_IAT, DIR_DELAY_IMPORT)
               if data_dir(pe, i) != (0, 0)]
    ck.add(not present, "no-imports",
           "no import directories" if not present else "present: %s" % ", ".join(present))

    # 7. entry point inside an executable section
    ep = oh.AddressOfEntryPoint
    s = section_of(pe, ep) if ep else None
    if s is None:
        ck.add(False, "entry-point", "AddressOfEntryPoint %#x is not inside any section" % ep)
    else:
        ck.add(bool(s.Characteristics & SCN_MEM_EXECUTE), "entry-point",
               "AddressOfEntryPoint %#x in %s (characteristics %#x%s)" %
               (ep, sec_name(s), s.Characteristics,
                "" if s.Characteristics & SCN_MEM_EXECUTE else ", NOT executable"))

    # 8. alignment
    sa, fa = oh.SectionAlignment, oh.FileAlignment
    why = []
    if not (is_pow2(fa) and 512 <= fa <= 65536):
        why.append("FileAlignment %#x not a power of two in [512, 64K]" % fa)
    if not (is_pow2(sa) and sa >= fa):
        why.append("SectionAlignment %#x not a power of two >= FileAlignment" % sa)
    if sa < 4096:
        why.append("SectionAlignment %#x < 4 KiB: sections cannot get their own page attributes" % sa)
    if arch == "aa64" and subsystem == "efi_runtime_driver" and sa < 65536:
        why.append("AArch64 runtime driver with SectionAlignment %#x < 64 KiB (UEFI §2.3.6)" % sa)
    if oh.ImageBase % 65536:
        why.append("ImageBase %#x not 64 KiB aligned" % oh.ImageBase)
    if fa and oh.SizeOfHeaders % fa:
        why.append("SizeOfHeaders %#x not a multiple of FileAlignment" % oh.SizeOfHeaders)
    for sec in pe.sections:
        if sa and sec.VirtualAddress % sa:
            why.append("%s VirtualAddress %#x not section-aligned" % (sec_name(sec), sec.VirtualAddress))
        if fa and sec.SizeOfRawData and sec.PointerToRawData % fa:
            why.append("%s PointerToRawData %#x not file-aligned" % (sec_name(sec), sec.PointerToRawData))
    ck.add(not why, "alignment", "; ".join(why) if why else
           "SectionAlignment %#x, FileAlignment %#x, ImageBase %#x" % (sa, fa, oh.ImageBase))

    # 9. W^X: no section both writable and executable
    wx = [sec_name(sec) for sec in pe.sections
          if sec.Characteristics & SCN_MEM_WRITE and sec.Characteristics & SCN_MEM_EXECUTE]
    ck.add(not wx, "no-wx", "no section is both writable and executable" if not wx else
           "writable+executable section(s): %s" % ", ".join(wx))

    # 10. SizeOfImage and section layout
    why = []
    prev_end = align_up(oh.SizeOfHeaders, sa) if sa else oh.SizeOfHeaders
    last_end = prev_end
    for sec in pe.sections:
        vs = sec_vsize(sec)
        if sec.VirtualAddress < prev_end:
            why.append("%s at %#x overlaps the previous section/headers (end %#x)"
                       % (sec_name(sec), sec.VirtualAddress, prev_end))
        if sec.SizeOfRawData and sec.PointerToRawData + sec.SizeOfRawData > len(data):
            why.append("%s raw data beyond end of file" % sec_name(sec))
        prev_end = sec.VirtualAddress + (align_up(vs, sa) if sa else vs)
        last_end = max(last_end, sec.VirtualAddress + vs)
    want_size = align_up(last_end, sa) if sa else last_end
    if oh.SizeOfImage != want_size:
        why.append("SizeOfImage %#x, sections end at %#x (aligned %#x)" % (oh.SizeOfImage, last_end, want_size))
    for i in range(min(len(oh.DATA_DIRECTORY), oh.NumberOfRvaAndSizes)):
        d = oh.DATA_DIRECTORY[i]
        if i != DIR_SECURITY and d.Size and d.VirtualAddress + d.Size > oh.SizeOfImage:
            why.append("%s directory [%#x, +%#x) beyond SizeOfImage" % (DIR_NAMES[i], d.VirtualAddress, d.Size))
    ck.add(not why, "size-of-image", "; ".join(why) if why else
           "SizeOfImage %#x matches %d sections" % (oh.SizeOfImage, len(pe.sections)))
    return ck


def load_manifest(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["images"]


def run_checks(args):
    manifest = load_manifest(args.manifest)
    bad = 0
    for path in args.images:
        name = os.path.basename(path)
        stem = name[:-4] if name.lower().endswith(".efi") else name
        label = "%s [%s]" % (name, args.arch)
        if not os.path.isfile(path):
            sys.stdout.write("FAIL  %s image: missing %s (build it first: cmake --workflow --preset fw-%s)\n"
                             % (label, path, args.arch))
            bad += 1
            continue
        entry = manifest.get(stem)
        if entry is None and args.subsystem is None:
            sys.stdout.write("FAIL  %s manifest: no entry for '%s' in %s\n" % (label, stem, args.manifest))
            bad += 1
            continue
        subsystem = args.subsystem or entry["subsystem"]
        with open(path, "rb") as f:
            data = f.read()
        ck = check_image(data, label, args.arch, subsystem)
        failed = ck.failed()
        sys.stdout.write("%s %s: %d/%d checks passed%s\n" %
                         ("RESULT" if not failed else "RESULT-FAIL", label, len(ck.results) - len(failed),
                          len(ck.results), "" if not failed else " (failed: %s)" % ", ".join(failed)))
        bad += bool(failed)
    return 1 if bad else 0


# ---- self-test: each corruption must be caught by the named check ------------------

def _mutations(pe_bytes):
    """(name, expected failing check, function bytes -> bytes) for the self-test."""
    def with_pe(fn):
        def apply(data):
            pe = pefile.PE(data=bytes(data), fast_load=True)
            fn(pe)
            return bytes(pe.write())
        return apply

    def set_char(pe):
        pe.FILE_HEADER.Characteristics |= IMAGE_FILE_RELOCS_STRIPPED

    def exec_section(pe):
        return next(s for s in pe.sections if s.Characteristics & SCN_MEM_EXECUTE)

    def make_wx(pe):
        exec_section(pe).Characteristics |= SCN_MEM_WRITE

    def add_import(pe):
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[DIR_IMPORT].VirtualAddress = exec_section(pe).VirtualAddress
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[DIR_IMPORT].Size = 20

    def drop_relocs(pe):
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[DIR_BASERELOC].VirtualAddress = 0
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[DIR_BASERELOC].Size = 0

    def grow_image(pe):
        pe.OPTIONAL_HEADER.SizeOfImage += pe.OPTIONAL_HEADER.SectionAlignment

    def entry_in_data(pe):
        s = next(s for s in pe.sections if not s.Characteristics & SCN_MEM_EXECUTE)
        pe.OPTIONAL_HEADER.AddressOfEntryPoint = s.VirtualAddress

    def wrong_subsystem(pe):
        pe.OPTIONAL_HEADER.Subsystem = 13  # EFI ROM

    def wrong_machine(pe):
        pe.FILE_HEADER.Machine = 0x14C  # i386

    def small_align(pe):
        pe.OPTIONAL_HEADER.SectionAlignment = 0x200

    def highlow_reloc(data):
        pe = pefile.PE(data=bytes(data), fast_load=True)
        rva, size = data_dir(pe, DIR_BASERELOC)
        off = pe.get_offset_from_rva(rva)
        out = bytearray(data)
        (bsize,) = struct.unpack_from("<I", out, off + 4)
        for i in range((bsize - 8) // 2):
            (e,) = struct.unpack_from("<H", out, off + 8 + 2 * i)
            if e >> 12 == REL_DIR64:
                struct.pack_into("<H", out, off + 8 + 2 * i, (3 << 12) | (e & 0xFFF))
                break
        return bytes(out)

    return [
        ("RELOCS_STRIPPED set", "relocs-not-stripped", with_pe(set_char)),
        ("code section made writable", "no-wx", with_pe(make_wx)),
        ("import directory added", "no-imports", with_pe(add_import)),
        ("base relocation directory removed", "reloc-directory", with_pe(drop_relocs)),
        ("a DIR64 entry turned into HIGHLOW", "reloc-types", highlow_reloc),
        ("SizeOfImage grown by one section", "size-of-image", with_pe(grow_image)),
        ("entry point moved into a data section", "entry-point", with_pe(entry_in_data)),
        ("subsystem changed to EFI ROM", "subsystem", with_pe(wrong_subsystem)),
        ("machine changed to i386", "machine", with_pe(wrong_machine)),
        ("SectionAlignment set to 512", "alignment", with_pe(small_align)),
    ]


def run_selftest(args):
    if len(args.images) != 1 or not os.path.isfile(args.images[0]):
        sys.stdout.write("FAIL  selftest: needs exactly one existing image, got %s\n" % args.images)
        return 1
    path = args.images[0]
    stem = os.path.basename(path)[:-4]
    subsystem = args.subsystem or load_manifest(args.manifest)[stem]["subsystem"]
    with open(path, "rb") as f:
        data = f.read()
    bad = 0
    base = check_image(data, stem, args.arch, subsystem, quiet=True)
    ok = not base.failed()
    sys.stdout.write("%s  selftest: unmodified %s passes all %d checks%s\n" %
                     ("PASS" if ok else "FAIL", os.path.basename(path), len(base.results),
                      "" if ok else " (failed: %s)" % ", ".join(base.failed())))
    bad += not ok
    for what, check, fn in _mutations(data):
        try:
            mutated = fn(data)
        except (StopIteration, pefile.PEFormatError, struct.error) as e:
            sys.stdout.write("FAIL  selftest: cannot apply '%s': %r\n" % (what, e))
            bad += 1
            continue
        ck = check_image(mutated, stem, args.arch, subsystem, quiet=True)
        caught = check in ck.failed()
        sys.stdout.write("%s  selftest: %s -> %s %s%s\n" %
                         ("PASS" if caught else "FAIL", what, check, "fails as it must" if caught else
                          "did NOT fail", "" if caught else " (failed: %s)" % ", ".join(ck.failed())))
        bad += not caught
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=sorted(MACHINES))
    ap.add_argument("--manifest", default=DEFAULT_MANIFEST)
    ap.add_argument("--subsystem", choices=sorted(SUBSYSTEMS), help="override the manifest")
    ap.add_argument("--selftest", action="store_true",
                    help="corrupt a good image in memory and require each corruption to be caught")
    ap.add_argument("images", nargs="+")
    args = ap.parse_args()
    return run_selftest(args) if args.selftest else run_checks(args)


if __name__ == "__main__":
    sys.exit(main())
