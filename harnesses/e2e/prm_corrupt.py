#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Make a corrupted PRM module for the negative e2e scenario.

  prm_corrupt.py SRC.efi DEST.efi

Copies a valid PRM module and flips the last byte of its export
descriptor's signature ('PRM_MEDT' -> 'PRM_MEDX'); the descriptor is found
through the export named PrmModuleExportDescriptor (pefile). The PE image
stays loadable (UEFI LoadImage checks no PE checksum), so the firmware loads
and starts it, and PrmLoaderDxe must reject it with PRM_DESCRIPTOR_SIGNATURE.
Fails (exit 1) unless the export exists and points at 'PRM_MEDT'.
"""
import sys

import pefile


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    data = bytearray(open(sys.argv[1], "rb").read())
    pe = pefile.PE(data=bytes(data))
    exports = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    rvas = [e.address for e in (exports.symbols if exports else []) if e.name == b"PrmModuleExportDescriptor"]
    if len(rvas) != 1:
        sys.stderr.write("%s: no single PrmModuleExportDescriptor export\n" % sys.argv[1])
        return 1
    at = pe.get_offset_from_rva(rvas[0])
    if bytes(data[at:at + 8]) != b"PRM_MEDT":
        sys.stderr.write("%s: the descriptor at 0x%x is not 'PRM_MEDT'\n" % (sys.argv[1], at))
        return 1
    data[at + 7] = ord("X")
    with open(sys.argv[2], "wb") as f:
        f.write(data)
    print("corrupted descriptor signature at file offset 0x%x -> %s" % (at, sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
