/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * PRM SSDT (installed by PrmSsdtDxe.efi). Compiled at build time by iasl
 * (acpica-tools; the PlatformRtMechanism keyword exists since iasl 20200528)
 * with `iasl -tc`, whose C array PrmSsdtDxe embeds.
 *
 * \_SB.PRMT: the PRM device (_HID "80860223", _CID PNP0C02 for Windows
 * certification, _STA 0x0B: present, enabled, not shown in UI) with the
 * PlatformRtMechanism (space 0x0B) OperationRegion. Writing the 26-byte
 * message { u8 status; u64 efi_status; u8 command; GUID handler } to its
 * BufferAcc field makes the OS run the handler (ACPICA exserial.c, Linux
 * drivers/acpi/prmt.c acpi_platformrt_space_handler); the status byte comes
 * back in the same buffer (0 = success, 3 = GUID not found, ...).
 *
 * _OSC: the OS announces PRM support with bit 21 (0x00200000) of the
 * platform-wide \_SB._OSC capabilities DWORD 2 (PRM spec 1.0; Linux
 * OSC_SB_PRM_SUPPORT; EDK II's Readme says bit 20, which is wrong: prm.md
 * §0). \_SB._OSC belongs to the platform's DSDT, so this SSDT does not define
 * it; OSCB records the bit for a DSDT author and RSTA reports whether a
 * caller of PRMS saw it granted.
 *
 * _INI runs the sample "hello" handler (PrmSampleContext,
 * RP_SAMPLE_HELLO_GUID in impl/fw/prm_samples/prm_sample_guids.h) once, so
 * an OS that loads this table exercises the OperationRegion path.
 */
DefinitionBlock ("", "SSDT", 2, "RTPRM ", "PRMOPREG", 0x00001000)
{
  Scope (\_SB)
  {
    Device (PRMT)
    {
      Name (_HID, "80860223")
      Name (_CID, EisaId ("PNP0C02"))
      Name (_DDN, "PRM device")
      Method (_STA, 0, NotSerialized)
      {
        Return (0x0B)
      }

      /* Platform-wide _OSC DWORD 2, bit 21: PRM support. */
      Name (OSCB, 0x00200000)

      OperationRegion (PRMR, PlatformRtMechanism, 0x00, 0x01)
      Field (PRMR, BufferAcc, NoLock, Preserve)
      {
        PRMF, 8
      }

      /* Arg0: command (0 run, 1 lock, 2 unlock); Arg1: 16-byte handler
       * GUID. Returns the status byte the OS wrote back. */
      Method (PRMC, 2, Serialized)
      {
        Name (MSG, Buffer (26) {})
        CreateByteField (MSG, 0x09, CMD)
        CreateField (MSG, 0x50, 0x80, HGID)
        CMD = Arg0
        HGID = Arg1
        Local0 = (PRMF = MSG)
        CreateByteField (Local0, 0x00, PSTA)
        Return (PSTA)
      }

      /* Run handler Arg0. */
      Method (RUNS, 1, NotSerialized)
      {
        Return (PRMC (0x00, Arg0))
      }

      /* Last _INI result: 0xFF until _INI ran. */
      Name (RSTA, 0xFF)

      Method (_INI, 0, NotSerialized)
      {
        RSTA = RUNS (ToUUID ("1f0b3a6e-2c7d-4e85-b149-0d6a9327e511"))
      }
    }
  }
}
