#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""CLI contract tests for `rtprm svam simulate` and `rtprm memmap check`
(docs/runtime.md "Host CLI").

  test_cli_runtime.py RTPRM SCENARIO_DIR

svam simulate: the shipped scenarios built from the project's own .efi
files succeed with per-image counts that match the images' own relocation
directories (counted here with pefile when importable, otherwise by parsing
.reloc by hand) and with every table pointer moved; every corrupt scenario
is rejected with exit 1, its reason, and "state unchanged".
memmap check: a Linux /sys/firmware/efi/runtime-map tree is built in a temp
directory (hex and decimal values as Linux prints them) and validated; bad
trees are rejected with the memmap validator's reason."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness  # noqa: E402
from cli_harness import check, finish, run  # noqa: E402

RTPRM, SCEN = sys.argv[1], sys.argv[2]
cli_harness.RTPRM = RTPRM




def dir64_sites(path):
    """DIR64 + HIGHLOW entries of the .reloc directory (what re-relocation applies)."""
    data = open(path, "rb").read()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec = struct.unpack_from("<H", data, pe + 6)[0]
    opt = pe + 24
    optsize = struct.unpack_from("<H", data, pe + 20)[0]
    magic = struct.unpack_from("<H", data, opt)[0]
    dd = opt + (112 if magic == 0x20B else 96)
    rva, size = struct.unpack_from("<II", data, dd + 5 * 8)
    sec = opt + optsize
    off = None
    for i in range(nsec):
        vsize, va, raw_size, raw_ptr = struct.unpack_from("<IIII", data, sec + i * 40 + 8)
        if va <= rva < va + max(vsize, raw_size):
            off = raw_ptr + rva - va
    n, pos = 0, 0
    while off is not None and pos + 8 <= size:
        _, bsize = struct.unpack_from("<II", data, off + pos)
        if bsize < 8:
            break
        for k in range((bsize - 8) // 2):
            t = struct.unpack_from("<H", data, off + pos + 8 + 2 * k)[0] >> 12
            n += t in (3, 10)
        pos += bsize
    return n


def scenario(name):
    return os.path.join(SCEN, name)


# ---- svam simulate: good scenarios ------------------------------------------
for name in ("ok-x64-images.json", "ok-x64-xen.json"):
    rc, out, err = run("svam", "simulate", scenario(name), "--json")
    check(f"{name}: exit 0", rc == 0, err)
    if rc != 0:
        continue
    j = json.loads(out)
    spec = json.load(open(scenario(name)))
    images = [os.path.normpath(os.path.join(SCEN, p)) for p in spec["images"]]
    check(f"{name}: EFI_SUCCESS and verified", j["status"] == "EFI_SUCCESS" and j["verified"] is True)
    check(f"{name}: one entry per image", len(j["images"]) == len(images), str(j["images"]))
    for img, got in zip(images, j["images"]):
        want = dir64_sites(img)
        check(f"{name}: {os.path.basename(img)} applied {want} sites, skipped 0",
              got["applied"] == want and got["skipped"] == 0, str(got))
        check(f"{name}: {os.path.basename(img)} moved", int(got["new_base"], 16) != int(got["base"], 16), str(got))
        check(f"{name}: {os.path.basename(img)} outcome from the core's result list",
              got.get("outcome") == "relocated" and got.get("reason") == "", str(got))
    check(f"{name}: indexes in list order, sums equal the totals",
          [g["index"] for g in j["images"]] == list(range(len(images))) and
          sum(g["applied"] for g in j["images"]) == j["sites_applied"], str(j["images"]))
    check(f"{name}: no core log lines on stderr (results come from the API)", "runtime: image" not in err, err)
    vac = sum(1 for e in spec["events"] if e["kind"] in ("type", "group"))
    check(f"{name}: {vac} events signalled (EVT_RUNTIME alone is not)", j["events_signalled"] == vac,
          str(j["events_signalled"]))
    moved = [k for k, (a, b) in j["pointers"].items() if a != "0x0" and a != b]
    same = [k for k, (a, b) in j["pointers"].items() if a == b and a != "0x0"]
    check(f"{name}: every non-NULL table pointer converted", not same and j["pointers_converted"] == len(moved),
          f"unchanged {same}, converted {j['pointers_converted']}")
    rc2, out2, _ = run("svam", "simulate", scenario(name))
    check(f"{name}: text output names the status", rc2 == 0 and "SetVirtualAddressMap EFI_SUCCESS" in out2
          and "model check: every site and pointer moved exactly once" in out2, out2)

# ---- svam simulate: corrupt scenarios ---------------------------------------
EXPECT = {
    "corrupt-omit-descriptor.json": ("EFI_NO_MAPPING", "RT_NO_MAPPING"),
    "corrupt-unaligned-virtual.json": ("EFI_INVALID_PARAMETER", "MEMMAP_VIRT_UNALIGNED"),
    "corrupt-image-backlink.json": ("EFI_VOLUME_CORRUPTED", "RT_LIST_"),
    "corrupt-image-record-null.json": ("EFI_VOLUME_CORRUPTED", "RT_IMAGE_RECORD_RANGE"),
    "corrupt-event-notify-null.json": ("EFI_VOLUME_CORRUPTED", "RT_EVENT_NOTIFY_NULL"),
}
for name, (status, reason) in EXPECT.items():
    rc, out, err = run("svam", "simulate", scenario(name))
    check(f"{name}: exit 1", rc == 1, f"rc {rc} {out} {err}")
    check(f"{name}: {status} / {reason}", status in err and reason in err, err)
    check(f"{name}: state unchanged", "state unchanged" in err and "CHANGED" not in err, err)
    check(f"{name}: nothing printed on stdout", out == "", out)

# ---- svam simulate: usage and malformed input -------------------------------
rc, _, _ = run("svam")
check("svam without subcommand: exit 2", rc == 2)
rc, _, _ = run("svam", "simulate")
check("svam simulate without file: exit 2", rc == 2)
with tempfile.TemporaryDirectory() as t:
    bad = os.path.join(t, "bad.json")
    open(bad, "w").write('{"images": [1, }')
    rc, _, err = run("svam", "simulate", bad)
    check("malformed JSON: exit 1 with byte offset", rc == 1 and "JSON:" in err and "at byte" in err, err)
    open(bad, "w").write('{"images": ["no-such.efi"]}')
    rc, _, err = run("svam", "simulate", bad)
    check("missing image: exit 1", rc == 1 and "no-such.efi" in err, err)
    open(bad, "w").write('{"images": [], "corruptions": [{"what": "image_backlink", "index": 5}]}')
    rc, _, err = run("svam", "simulate", bad)
    check("corruption index out of range: exit 1", rc == 1 and "out of range" in err, err)


# ---- memmap check -------------------------------------------------------------
def write_map(root, entries, style):
    for i, (typ, phys, virt, pages, attr) in enumerate(entries):
        d = os.path.join(root, str(i))
        os.makedirs(d)
        vals = {"type": typ, "phys_addr": phys, "virt_addr": virt, "num_pages": pages, "attribute": attr}
        for k, v in vals.items():
            text = (hex(v) if k != "type" else str(v)) if style == "linux" else str(v)
            open(os.path.join(d, k), "w").write(text + "\n")


RT = 0x8000000000000000
GOOD = [  # Linux top-down: runtime code + data + MMIO, per-region VAs
    (5, 0x7F000000, 0xFFFFFFFEFF000000, 16, RT | 0xF),
    (6, 0x7F010000, 0xFFFFFFFEFEFF0000, 16, RT | 0xF),
    (11, 0xFFC00000, 0xFFFFFFFEFEA00000, 1024, RT | 0x1),
]
with tempfile.TemporaryDirectory() as t:
    for style in ("linux", "decimal"):
        root = os.path.join(t, style)
        write_map(root, GOOD, style)
        rc, out, err = run("memmap", "check", root, "--json")
        ok = rc == 0 and json.loads(out)["runtime"] == 3 and json.loads(out)["runtime_pages"] == 1056
        check(f"memmap check {style} values: 3 runtime descriptors, 1056 pages", ok, f"{rc} {out} {err}")
    cases = {
        "unaligned virt": ([(5, 0x7F000000, 0xFFFFFFFEFF000010, 16, RT)], "MEMMAP_VIRT_UNALIGNED"),
        "virtual overlap": ([(5, 0x7F000000, 0xFFFFFFFEFF000000, 16, RT),
                             (6, 0x7F010000, 0xFFFFFFFEFF00F000, 16, RT)], "MEMMAP_VIRT_OVERLAP"),
        "zero pages": ([(5, 0x7F000000, 0xFFFFFFFEFF000000, 0, RT)], "MEMMAP_"),
    }
    for name, (entries, reason) in cases.items():
        root = os.path.join(t, name.replace(" ", "_"))
        write_map(root, entries, "linux")
        rc, out, err = run("memmap", "check", root)
        check(f"memmap check rejects {name}: exit 1 with {reason}", rc == 1 and reason in err, f"{rc} {err}")
    root = os.path.join(t, "gap")
    write_map(root, GOOD, "linux")
    os.rename(os.path.join(root, "1"), os.path.join(root, "7"))
    rc, _, err = run("memmap", "check", root)
    check("memmap check rejects numbering gaps", rc == 1 and "without gaps" in err, err)
    root = os.path.join(t, "missing")
    write_map(root, GOOD, "linux")
    os.remove(os.path.join(root, "2", "num_pages"))
    rc, _, err = run("memmap", "check", root)
    check("memmap check rejects a missing file", rc == 1 and "num_pages" in err, err)
    rc, _, _ = run("memmap", "check")
    check("memmap check without DIR: exit 2", rc == 2)

sys.exit(finish())
