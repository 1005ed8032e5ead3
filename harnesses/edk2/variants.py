# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The EDK II platforms and flash-image variants built from Debian's edk2
source (harnesses/edk2/edk2.py), as data: which upstream DSC/FDF each starts
from and the edits made here to put our prebuilt drivers into it, the way a
platform owner integrates a vendor driver (docs/integration.md).

Edits are applied to copies written next to the upstream files
(Rtprm*.dsc / Rtprm*.fdf[.inc] in the cached workspace); the upstream files
stay as Debian ships them. Every edit names the exact upstream line it
replaces or follows and fails when that line is not there exactly once.
"""

# FFS file GUIDs. RuntimeDxe keeps MdeModulePkg's (B601F8C4-...): the DXE
# core and every platform know the Runtime AP provider by it. The others
# were generated for this project.
FILE_GUIDS = {
    "RuntimeDxe": "B601F8C4-43B7-4784-95B1-F4226CB40CEE",
    "PrmConfigDxe": "4E8D5C1F-2B6A-4F0E-9D37-6C1A8E5F2B90",
    "PrmLoaderDxe": "A7C2E413-5D8B-4C69-B1F0-3E9D2A6C7B14",
    "PrmSsdtDxe": "D3F19A65-7E2C-4B84-A05D-91B6E8C3F427",
    "PrmSampleContext": "6B0E4D92-C1A7-4E3F-8D25-F7A39C1B06E8",
    "PrmSampleMmio": "F25A8C37-9B1D-4A60-BE43-2D7E05C6A918",
}

RUNTIME_INF = "MdeModulePkg/Core/RuntimeDxe/RuntimeDxe.inf"

# PrmPkg's drivers and PrmInfo in the OVMF build (variant fv-c takes the
# drivers into its flash image; PrmInfo runs from the Shell).
OVMF_PRMPKG_DSC = """
# ---- rtprm: the 2022.11 Shell needs SecureBootVariableLib, which the DSC
# maps only with SECURE_BOOT_ENABLE; mapping it here builds the Shell
# without the secure boot feature, whose EmuVariableNvStore check ASSERTs a
# DEBUG build on the next boot once an OS deleted a variable (0x3C records;
# fixed upstream after 2022.11, tianocore/edk2 pull request 3797) ----
[LibraryClasses]
  SecureBootVariableLib|SecurityPkg/Library/SecureBootVariableLib/SecureBootVariableLib.inf
  PlatformPKProtectionLib|SecurityPkg/Library/PlatformPKProtectionLibVarPolicy/PlatformPKProtectionLibVarPolicy.inf

# ---- rtprm: EDK II's PrmPkg beside OVMF (harnesses/edk2/variants.py) ----
[LibraryClasses.common.DXE_DRIVER, LibraryClasses.common.DXE_RUNTIME_DRIVER, LibraryClasses.common.UEFI_APPLICATION]
  PrmContextBufferLib|PrmPkg/Library/DxePrmContextBufferLib/DxePrmContextBufferLib.inf
  PrmModuleDiscoveryLib|PrmPkg/Library/DxePrmModuleDiscoveryLib/DxePrmModuleDiscoveryLib.inf
  PrmPeCoffLib|PrmPkg/Library/DxePrmPeCoffLib/DxePrmPeCoffLib.inf

[Components.X64]
  PrmPkg/PrmConfigDxe/PrmConfigDxe.inf
  PrmPkg/PrmLoaderDxe/PrmLoaderDxe.inf
  PrmPkg/Application/PrmInfo/PrmInfo.inf
"""

# Debian builds AArch64 natively; cross-building with GCC 12 needs GCC's
# inline atomics (no libgcc outline helpers in a firmware link).
AARCH64_CROSS_DSC = """
# ---- rtprm: cross build with Debian's aarch64-linux-gnu-gcc ----
[BuildOptions]
  GCC:*_*_AARCH64_CC_FLAGS = -mno-outline-atomics
"""

# EDK II's PrmPkg for AArch64, built the only way PrmPkg builds PRM modules
# with GCC (GenFw --prm, --require-defined link flags, in the samples' INFs):
# no flash image, its sample modules and PrmInfo are the output. GCC49 (no
# LTO): under GCC5's LTO PrmInfo misses memcpy.
PRMPKG_AARCH64_DSC = AARCH64_CROSS_DSC

PLATFORMS = {
    "ovmf-x64": {
        "arch": "X64", "toolchain": "GCC5",
        "dsc": "OvmfPkg/OvmfPkgX64.dsc", "fdf": "OvmfPkg/OvmfPkgX64.fdf", "fdf_include": None,
        "output": "Build/OvmfX64", "rtprm_output": "Build/RtprmOvmfX64",
        "dsc_append": OVMF_PRMPKG_DSC,
        "defines": ["NETWORK_ENABLE=FALSE"],
        "env": {},
        "code": "OVMF_CODE.fd", "vars": "OVMF_VARS.fd",
        "apps": {"PrmInfo": "X64/PrmInfo.efi"},
    },
    "armvirt-aa64": {
        "arch": "AARCH64", "toolchain": "GCC49",  # GCC5's LTO link misses memcpy here
        "dsc": "ArmVirtPkg/ArmVirtQemu.dsc", "fdf": "ArmVirtPkg/ArmVirtQemu.fdf",
        "fdf_include": "ArmVirtQemuFvMain.fdf.inc",
        "output": "Build/ArmVirtQemu-$(ARCH)", "rtprm_output": "Build/RtprmArmVirtQemu-$(ARCH)",
        "dsc_append": AARCH64_CROSS_DSC,
        # SECURE_BOOT_ENABLE: the 2022.11 Shell needs SecureBootVariableLib
        "defines": ["SECURE_BOOT_ENABLE=TRUE", "NETWORK_ENABLE=FALSE"],
        "env": {"GCC49_AARCH64_PREFIX": "aarch64-linux-gnu-"},
        "code": "QEMU_EFI.fd", "vars": "QEMU_VARS.fd",
        "apps": {},
    },
    "prmpkg-aa64": {
        "arch": "AARCH64", "toolchain": "GCC49",
        "dsc": "PrmPkg/PrmPkg.dsc", "fdf": None, "fdf_include": None,
        "output": "Build/$(PLATFORM_NAME)", "rtprm_output": "Build/RtprmPrm-$(ARCH)",
        "dsc_append": PRMPKG_AARCH64_DSC,
        "defines": [],
        "env": {"GCC49_AARCH64_PREFIX": "aarch64-linux-gnu-"},
        "code": None, "vars": None,
        "apps": {"PrmInfo": "AARCH64/PrmInfo.efi", "PrmConfigDxe": "AARCH64/PrmConfigDxe.efi",
                 "PrmLoaderDxe": "AARCH64/PrmLoaderDxe.efi",
                 "PrmSampleAcpiParameterBufferModule": "AARCH64/PrmSampleAcpiParameterBufferModule.efi",
                 "PrmSampleContextBufferModule": "AARCH64/PrmSampleContextBufferModule.efi"},
    },
}

# Platforms built without a flash image of ours (their outputs are modules).
MODULE_PLATFORMS = ["prmpkg-aa64"]


# Dispatch conditions of our drivers (PI 1.8 Vol 2 §10.9: a DXE driver
# without a DXE_DEPEX section is taken to need every architectural
# protocol, so RuntimeDxe, which produces one, would never run). A binary
# driver carries its dependency expression next to it in the INF's
# [Binaries] (DXE_DEPEX file). PrmSsdtDxe installs its table at its entry
# point, so it waits for the ACPI table protocol; the others may run at once
# (PrmLoaderDxe publishes again at EndOfDxe, docs/prm.md §9.2).
DEPEX = {"PrmSsdtDxe": "FFE06BDD-6107-46A6-7BB2-5A9C7EC5275C"}  # gEfiAcpiTableProtocolGuid
DEPEX_PUSH, DEPEX_TRUE, DEPEX_END = 0x02, 0x06, 0x08


def depex_bytes(name):
    """The binary dependency expression (PI Vol 2 §10.9 opcodes)."""
    import uuid
    guid = DEPEX.get(name)
    if guid is None:
        return bytes([DEPEX_TRUE, DEPEX_END])
    return bytes([DEPEX_PUSH]) + uuid.UUID(guid).bytes_le + bytes([DEPEX_END])


# PE32 Subsystem -> EDK II MODULE_TYPE of a binary driver.
MODULE_TYPES = {11: "DXE_DRIVER", 12: "DXE_RUNTIME_DRIVER"}


def binary_inf(name, arch, module_type):
    """The binary module INF shipped next to <name>.efi and <name>.depex,
    the way a vendor hands a prebuilt driver to a platform."""
    return "\n".join([
        "## @file",
        "#  %s.efi from rtprm, prebuilt: a binary module (docs/integration.md)." % name,
        "#  SPDX-License-Identifier: BSD-2-Clause-Patent",
        "##", "",
        "[Defines]",
        "  INF_VERSION    = 0x00010017",
        "  BASE_NAME      = %s" % name,
        "  FILE_GUID      = %s" % FILE_GUIDS[name],
        "  MODULE_TYPE    = %s" % module_type,
        "  VERSION_STRING = 1.0", "",
        "[Binaries.%s]" % arch,
        "  PE32|%s.efi|*" % name,
        "  DXE_DEPEX|%s.depex|*" % name, ""])


# The FDF rule our binary INFs use (INF RuleOverride = RTPRM_BINARY): the
# platform's own rules for these module types expect build outputs.
RULE_NAME = "RTPRM_BINARY"
FDF_RULES = "".join("""
[Rule.Common.%s.%s]
  FILE DRIVER = $(NAMED_GUID) {
    DXE_DEPEX DXE_DEPEX |.depex
    PE32      PE32      |.efi
    UI        STRING="$(MODULE_NAME)" Optional
  }
""" % (t, RULE_NAME) for t in sorted(MODULE_TYPES.values()))


def fdf_binary_inf(path, indent="  "):
    return "%sINF RuleOverride = %s %s" % (indent, RULE_NAME, path)


def inf_line(path, indent="  "):
    return "%sINF %s" % (indent, path)


# Variants: the platform and, for the FV that holds the DXE drivers, what
# replaces RuntimeDxe's INF line (None: keep EDK II's) and what follows it.
# Driver names refer to build/fw-<arch>/bin/<name>.efi (or the file named in
# the tuple), EDK II modules to their INF.

def prm_drivers(loader="PrmLoaderDxe.efi"):
    """Our PRM drivers and sample modules, in dispatch order (the loader
    last, so its entry-point discovery already sees every module)."""
    return [("PrmConfigDxe", "PrmConfigDxe.efi"), ("PrmSampleContext", "PrmSampleContext.efi"),
            ("PrmSampleMmio", "PrmSampleMmio.efi"), ("PrmSsdtDxe", "PrmSsdtDxe.efi"), ("PrmLoaderDxe", loader)]


VARIANTS = {
    # (a) our RuntimeDxe in place of MdeModulePkg's
    "fv-a": {"platform": "ovmf-x64", "runtime": "RuntimeDxe.efi", "add": []},
    # (b) (a) plus our PRM drivers and sample modules
    "fv-b": {"platform": "ovmf-x64", "runtime": "RuntimeDxe.efi", "add": prm_drivers()},
    # negative control: (b) with the provider build that leaves the hello
    # module unrelocated (its handler then finds its fixup stale)
    "fv-b-break": {"platform": "ovmf-x64", "runtime": "RuntimeDxeBreak.efi", "add": prm_drivers()},
    # (b) without the Memory Attributes Table upkeep: is it still needed?
    "fv-b-nomat": {"platform": "ovmf-x64", "runtime": "RuntimeDxe.efi",
                   "add": prm_drivers("PrmLoaderDxeNoMat.efi")},
    # (c) stock RuntimeDxe, EDK II's PrmConfigDxe and PrmLoaderDxe, our
    # sample modules with our configuration and our SSDT (EDK II's
    # PrmSsdtInstallDxe defines the same \_SB.PRMT device; ours runs the
    # hello handler from _INI)
    "fv-c": {"platform": "ovmf-x64", "runtime": None,
             "add": ["PrmPkg/PrmConfigDxe/PrmConfigDxe.inf"] + prm_drivers()[:4]
                    + ["PrmPkg/PrmLoaderDxe/PrmLoaderDxe.inf"]},
    # (d) ArmVirtQemu AARCH64 with our RuntimeDxe
    "fv-d": {"platform": "armvirt-aa64", "runtime": "RuntimeDxe.efi", "add": []},
}


def expected_files(name, fw_dir):
    """{FFS file GUID: path of the image it must hold} for a variant: every
    driver of ours the variant puts into the flash image."""
    v = VARIANTS[name]
    out = {}
    if v["runtime"]:
        out[FILE_GUIDS["RuntimeDxe"]] = "%s/%s" % (fw_dir, v["runtime"])
    for item in v["add"]:
        if not isinstance(item, str):
            out[FILE_GUIDS[item[0]]] = "%s/%s" % (fw_dir, item[1])
    return out
