#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Worst stack depth of the code that runs after ExitBootServices, per entry
point, from the firmware build itself (docs/ARCHITECTURE.md "Stack budget").

Inputs, all produced by the fw-<arch> presets:
  *.su      clang -fstack-usage: each function's frame after inlining;
  *.obj     the call graph: `llvm-objdump -dr` names the target of every
            direct call and tail jump through its relocation; a function
            whose address is taken (any other relocation to it) is a
            possible target of every indirect call in the same image (an
            over-approximation: the list walk's visitors, the log sinks);
  build.ninja   which objects and libraries each .efi links.
The worst chain from a root is the largest sum of frames along a call path
(a recursive cycle is an error: no bound exists). Roots are the functions
the OS or the firmware calls after ExitBootServices (ENTRIES below). Each
chain must fit its budget; --report writes the table for the docs.

usage: stack_budget.py --build build/fw-x64 [--report FILE.md] [--check]
"""
import argparse
import functools
import os
import re
import subprocess
import sys

# image -> [(root function, budget in bytes, what calls it)]
ENTRIES = {
    "RuntimeDxe.efi": [
        ("svam_thunk", 3072, "SetVirtualAddressMap, called by the OS after ExitBootServices"),
        ("convert_thunk", 2048, "ConvertPointer, called by drivers' virtual-address-change events inside SVAM"),
        ("on_exit_boot_services", 2048, "the ExitBootServices notification of the platform seam"),
    ],
    "PrmConfigDxe.efi": [
        ("on_virtual_address_change", 2048, "PrmConfigDxe's virtual-address-change event, inside SVAM"),
        ("on_exit_boot_services", 2048, "the ExitBootServices notification of the platform seam"),
    ],
    "PrmSampleContext.efi": [
        ("PrmSampleDebugConHello", 4096, "PRM handler, OS context (PrmPkg: 4 KiB of stack for handlers)"),
        ("PrmSampleCheckContext", 4096, "PRM handler"),
        ("PrmSampleCheckStaticData", 4096, "PRM handler"),
    ],
    "PrmSampleMmio.efi": [
        ("PrmSampleMmioCount", 4096, "PRM handler"),
        ("PrmSampleMmioRead", 4096, "PRM handler"),
    ],
    "PrmLoaderDxe.efi": [
        ("on_exit_boot_services", 2048, "the ExitBootServices notification of the platform seam"),
    ],
}

# Functions whose address we hand to the firmware or the OS (protocol
# members, event notifications, image entry points, PRM handlers): outside
# code calls them; an indirect call in our code never reaches them. What
# an indirect call of ours reaches outside the image (gBS, gRT, ConOut,
# another driver's NotifyFunction) is that code's stack, not counted here.
INTERFACES = {root for entries in ENTRIES.values() for root, _b, _w in entries} | {
    "crc_thunk", "RuntimeDxeEntry", "efi_main", "PrmConfigEntry", "PrmLoaderEntry", "PrmSsdtEntry", "PrmInfoMain"}

# Functions with indirect calls, classified by reading their source:
#   "visitors"  calls the callbacks our own code passes (rt_list_walk's
#               visitors): every address-taken function of the image that is
#               not an interface is a possible target (over-approximation);
#   "external"  calls firmware or another image only (gBS, gRT, ConOut, a
#               driver's NotifyFunction): not counted, that code has its own
#               budget;
#   "none"      no call at all: data of a jump table that the disassembler
#               decoded as an instruction.
# A function with an indirect call that is not listed stops the tool, so a
# new one cannot slip past the budget.
INDIRECT = {
    "rt_list_walk": "visitors",
    "signal_event": "external",          # EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE NotifyFunction of each driver
    "rp_plat_alloc_pool": "external", "rp_plat_alloc_pages": "external",      # gBS (boot services only)
    "rp_plat_free_pool": "external", "rp_plat_free_pages": "external",
    "rp_plat_log_write": "external",     # ConOut (boot services only)
    "rp_uefi_platform_init": "external", "rp_uefi_platform_fini": "external",  # gBS
    "rp_prm_mmio_convert": "external",   # gRT->ConvertPointer (RuntimeDxe's convert_thunk, its own budget)
    "rp_status_name": "none",
    "on_virtual_address_change": "external",  # PrmConfigDxe: gRT->ConvertPointer (RuntimeDxe's convert_thunk)
}

FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:$")
INSN = re.compile(r"^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2} )*\s*(\S+)\s*(.*)$")
RELOC = re.compile(r"^\s*[0-9a-f]+:\s+(IMAGE_REL_\S+)\s+(\S+)$")
LOCAL_TARGET = re.compile(r"<([^+>]+)>$")
DIRECT = {"call", "callq", "bl"}
TAIL = {"jmp", "jmpq", "b"}


def objdump(obj):
    return subprocess.run(["llvm-objdump-14", "-dr", "--no-show-raw-insn", obj], capture_output=True, text=True,
                          check=True).stdout


def local_symbols(obj):
    out = subprocess.run(["llvm-nm-14", obj], capture_output=True, text=True, check=True).stdout
    return {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) >= 2 and ln.split()[-2] in ("t", "b", "d")}


def parse_object(obj):
    """{function: {"calls": set, "indirect": bool}}, address-taken names.
    A call's target is its relocation's symbol when one follows the
    instruction (calls out of the object; the disassembly then shows a
    placeholder), else the <symbol> the disassembly names (resolved by the
    assembler inside the object)."""
    funcs, taken, cur, last, pending = {}, set(), None, None, None

    def flush():
        if cur is not None and pending:
            cur["calls"].add(pending)

    for ln in objdump(obj).splitlines():
        m = FUNC.match(ln)
        if m:
            flush()
            cur, last, pending = funcs.setdefault(m.group(1), {"calls": set(), "indirect": False}), None, None
            continue
        if cur is None:
            continue
        r = RELOC.match(ln)
        if r:
            (cur["calls"] if last in DIRECT or last in TAIL else taken).add(r.group(2))
            last, pending = None, None
            continue
        i = INSN.match(ln)
        if i:
            flush()
            op, args = i.group(1), i.group(2)
            last, pending = op, None
            if (op in ("call", "callq") and args.startswith("*")) or op == "blr":
                cur["indirect"] = True  # (an indirect jmp / br is a switch table)
            t = LOCAL_TARGET.search(args)
            if (op in DIRECT or op in TAIL) and t:
                pending = t.group(1)
    flush()
    return funcs, taken


def data_references(obj):
    """Symbols a data section refers to (function-pointer tables): taken."""
    out, in_text = set(), False
    for ln in subprocess.run(["llvm-objdump-14", "-r", obj], capture_output=True, text=True, check=True).stdout.splitlines():
        if ln.startswith("RELOCATION RECORDS FOR"):
            in_text = ".text" in ln
            continue
        parts = ln.split()
        if not in_text and len(parts) == 3 and parts[1].startswith("IMAGE_REL_"):
            out.add(parts[2])
    return out


def frames(su):
    out = {}
    for ln in open(su, encoding="utf-8", errors="replace"):
        parts = ln.rstrip("\n").split("\t")
        if len(parts) >= 3:
            out[parts[0].rsplit(":", 1)[-1]] = (int(parts[1]), parts[2])
    return out


def image_inputs(build, image):
    """The .obj files linked into `image` (its own and its libraries')."""
    text = open(os.path.join(build, "build.ninja"), encoding="utf-8").read()
    m = re.search(r"^build (?:\S*/)?" + re.escape(image) + r": C_EXECUTABLE_LINKER\S* (.*)$", text, re.M)
    if not m:
        raise SystemExit("stack_budget: no link step for %s in build.ninja" % image)
    objs = []
    for item in m.group(1).split():
        if item.endswith(".obj"):
            objs.append(os.path.join(build, item))
        elif item.endswith(".a"):
            lib = os.path.basename(item)[len("lib"):-len(".a")]
            d = os.path.join(build, os.path.dirname(item), "CMakeFiles", lib + ".dir")
            for sub, _s, names in os.walk(d):
                objs += [os.path.join(sub, n) for n in names if n.endswith(".obj")]
    return sorted(set(objs))


@functools.lru_cache(maxsize=None)
def object_facts(obj):
    """Everything read from one object and its .su, once per run: the core's
    objects are linked into every image."""
    funcs, taken = parse_object(obj)
    su = obj[:-len(".obj")] + ".su"
    return local_symbols(obj), funcs, taken | data_references(obj), frames(su) if os.path.exists(su) else {}


class Graph:
    def __init__(self, objs):
        self.frame, self.calls, self.indirect, self.taken = {}, {}, set(), set()
        for obj in objs:
            local, funcs, taken, su = object_facts(obj)
            key = lambda n: "%s::%s" % (os.path.basename(obj), n) if n in local else n  # noqa: E731
            for name, f in funcs.items():
                k = key(name)
                self.frame[k] = su.get(name, (0, "unknown"))
                self.calls[k] = {key(c) for c in f["calls"]}
                if f["indirect"]:
                    self.indirect.add(k)
            self.taken |= {key(t) for t in taken if t in funcs or t not in local}

    def callees(self, k):
        out = set(self.calls.get(k, ()))
        if k not in self.indirect:
            return out
        kind = INDIRECT.get(k.split("::")[-1])
        if kind is None:
            raise SystemExit("stack_budget: %s makes an indirect call not classified in INDIRECT" % k)
        if kind == "visitors":  # interfaces we install are called by outside code only
            out |= {t for t in self.taken if t in self.frame and t.split("::")[-1] not in INTERFACES}
        return out

    def worst(self, root):
        @functools.lru_cache(maxsize=None)
        def depth(k, stack):
            if k in stack:
                raise SystemExit("stack_budget: recursion through %s (no bound)" % k)
            here = self.frame.get(k, (0, "unknown"))[0]
            best, path = 0, ()
            for c in sorted(self.callees(k)):
                d, p = depth(c, stack | frozenset([k]))
                if d > best:
                    best, path = d, p
            return here + best, (k,) + path
        return depth(root, frozenset())

    def find(self, name):
        hits = [k for k in self.frame if k == name or k.endswith("::" + name)]
        if len(hits) != 1:
            raise SystemExit("stack_budget: entry %s found %d times" % (name, len(hits)))
        return hits[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="build/fw-x64 or build/fw-aa64")
    ap.add_argument("--report", help="write the table (Markdown)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a chain exceeds its budget")
    ap.add_argument("--max", type=int, help="one budget for every entry point (the self-test: a low one must fail)")
    a = ap.parse_args(argv)
    arch = os.path.basename(os.path.normpath(a.build))
    rows, over = [], 0
    for image, entries in ENTRIES.items():
        g = Graph(image_inputs(a.build, image))
        for root, budget, what in entries:
            budget = a.max if a.max is not None else budget
            total, path = g.worst(g.find(root))
            ok = total <= budget
            over += not ok
            chain = " → ".join("%s (%d)" % (k.split("::")[-1], g.frame[k][0]) for k in path)
            rows.append((image, root, total, budget, ok, chain, what))
            print("%s %s %s: %d bytes (budget %d): %s" % ("ok  " if ok else "OVER", image, root, total, budget, chain))
    if a.report:
        os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("| image (%s) | entry point | worst chain bytes | budget | called by | chain (frame bytes) |\n"
                    "|---|---|---:|---:|---|---|\n" % arch)
            for image, root, total, budget, ok, chain, what in rows:
                f.write("| %s | `%s` | %d%s | %d | %s | %s |\n" % (image, root, total, "" if ok else " **OVER**",
                                                                 budget, what, chain))
    return 1 if (a.check and over) else 0


if __name__ == "__main__":
    sys.exit(main())
