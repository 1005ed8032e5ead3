/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * Test-only SSDT for the Linux e2e scenarios without a debug console
 * (AArch64): makes the result of our PRM hello handler, run through the
 * firmware's PRM SSDT (impl/fw/prm/prm_ssdt.asl, \_SB.PRMT.RUNS), visible to
 * /init. linux_run.py compiles it with iasl and puts it into the initramfs
 * as kernel/firmware/acpi/rtprm_probe.aml, where the kernel's ACPI table
 * upgrade (CONFIG_ACPI_TABLE_UPGRADE) installs it next to the firmware's
 * tables ("ACPI: Table Upgrade: install [SSDT-RTPRM -PRMPROBE]").
 *
 * When Linux enumerates \_SB.RPRB it evaluates _UID, which runs the hello
 * handler (GUID 1f0b3a6e-..., RP_SAMPLE_HELLO_GUID) through the
 * PlatformRtMechanism OperationRegion and returns the PRM status byte the
 * OS wrote back: 0 when the handler returned EFI_SUCCESS (its 'PRMC'
 * context, its static data buffer and its own re-applied DIR64 fixup all
 * checked), 1 when it returned an error. /init reads it from
 * /sys/bus/acpi/devices/RTPR0001:00/uid. No _UID (the method failed, e.g.
 * the firmware SSDT is absent) makes the check fail too.
 */
DefinitionBlock ("", "SSDT", 2, "RTPRM ", "PRMPROBE", 0x00000001)
{
  External (\_SB.PRMT.RUNS, MethodObj)

  Scope (\_SB)
  {
    Device (RPRB)
    {
      Name (_HID, "RTPR0001")
      Method (_STA, 0, NotSerialized)
      {
        Return (0x0F)
      }

      Method (_UID, 0, Serialized)
      {
        Return (\_SB.PRMT.RUNS (ToUUID ("1f0b3a6e-2c7d-4e85-b149-0d6a9327e511")))
      }
    }
  }
}
