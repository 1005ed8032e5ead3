#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause-Patent
# /init of the e2e initramfs: checks what the OS sees after our
# SetVirtualAddressMap and prints one line per check, then powers off.
#   RTPRM-LINUX: <check> ok ...      a check passed
#   RTPRM-LINUX: <check> FAIL ...    a check failed (the host test fails on it)
#   RTPRM-LINUX: PASS | FAIL         the verdict, last
# Expected PRM module count: prm_modules=N on the kernel command line
# (absent: the PRM check is not run, e.g. the stock-firmware baseline).
# rtprm_dump_prmt=1: the PRMT Linux received, as hex lines
# "RTPRM-PRMT: <32 hex digits>" (the host runs rtprm prm check on it).
# rtprm_reboot=1 (with reboot=efi): end with reboot -f through the
# firmware's ResetSystem instead of powering off.
# rtprm_rtc=NAME: the RTC read after virtual mode must be that driver's
# (arm64: rtc-efi, i.e. GetTime at its virtual address).
# rtprm_prm_fixup=H,F (RVAs of the hello handler and of its DIR64 fixup
# slot): the handler's physical address from the PRMT, the slot read via
# /dev/mem; it must hold a virtual address (the image re-relocated for the
# OS's map), else "fixups STALE". rtprm_prm_fixup_expect=identity: the OS
# maps runtime memory 1:1 without SetVirtualAddressMap; the slot must still
# hold the physical address.
# rtprm_prm_probe=1: the test SSDT (prm_probe.asl, an initramfs ACPI table
# upgrade) exposes the hello handler's PRM status as RTPR0001's _UID.
# rtprm_secureboot=1: the SecureBoot variable must read 1.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

fails=0
ok() { echo "RTPRM-LINUX: $1 ok $2"; }
bad() { echo "RTPRM-LINUX: $1 FAIL $2"; fails=$((fails + 1)); }
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | head -1; }

echo "RTPRM-LINUX: kernel $(uname -r) up"

# 1. The kernel entered virtual mode through SetVirtualAddressMap: the
#    runtime map (CONFIG_EFI_RUNTIME_MAP) lists the regions it gave, with
#    virtual addresses that differ from the physical ones.
#    arm64 has no runtime map (CONFIG_EFI_RUNTIME_MAP is x86 only): there
#    the kernel says it mapped the regions at the virtual addresses its
#    EFI stub gave SetVirtualAddressMap, and rtprm_prm_fixup below reads
#    one re-relocated pointer.
rm_dir=/sys/firmware/efi/runtime-map
if [ "$(uname -m)" = aarch64 ]; then
  if dmesg | grep -q "UEFI virtual mapping missing or invalid"; then
    bad efi-virtual "$(dmesg | grep -m1 'UEFI virtual mapping')"
  elif dmesg | grep -q "Remapping and enabling EFI services"; then
    ok efi-virtual "runtime regions mapped at the stub's virtual addresses"
  else
    bad efi-virtual "no 'Remapping and enabling EFI services' in dmesg"
  fi
elif [ -d "$rm_dir" ]; then
  n=0; moved=0
  for e in "$rm_dir"/*; do
    n=$((n + 1))
    [ "$(cat "$e/phys_addr")" != "$(cat "$e/virt_addr")" ] && moved=$((moved + 1))
  done
  if [ "$n" -gt 0 ] && [ "$moved" -eq "$n" ]; then ok runtime-map "$n regions, all with a non-zero delta"
  else bad runtime-map "$n regions, $moved moved"; fi
else
  bad runtime-map "no $rm_dir (EFI runtime services disabled?)"
fi
# arm64 with efi=debug: the system table's physical address is in dmesg;
# its RuntimeServices (+0x58) and ConfigurationTable (+0x70) pointers show
# where the OS mapped those regions (converted by SetVirtualAddressMap, or
# physical when the OS maps runtime memory 1:1). Information, not a check.
st="$(dmesg | sed -n 's/.*System Table *: *\(0x[0-9a-fA-F]*\).*/\1/p' | head -1)"
if [ "$(uname -m)" = aarch64 ] && [ -n "$st" ]; then
  echo "RTPRM-LINUX: info system table $st: RuntimeServices $(devmem $((st + 0x58)) 64 2>&1)," \
       "ConfigurationTable $(devmem $((st + 0x70)) 64 2>&1)"
fi
rt_bad="efi: EFI runtime services disabled\|Disabling EFI runtime\|EFI Runtime Services are disabled"
rt_bad="$rt_bad\|in EFI runtime service\|runtime services will not be available"
if dmesg | grep -q "$rt_bad"; then
  bad efi-runtime "$(dmesg | grep -m1 "$rt_bad")"
else
  ok efi-runtime "no runtime-services warning"
fi

# 2. EFI variables through the (re-relocated) firmware runtime drivers.
vars=/sys/firmware/efi/efivars
if insmod /lib/modules/efivarfs.ko 2>/dev/null || grep -q efivarfs /proc/filesystems; then
  mount -t efivarfs efivarfs "$vars" 2>/dev/null
fi
if [ -n "$(ls "$vars" 2>/dev/null)" ]; then
  ok efivars-list "$(ls "$vars" | wc -l) variables"
  name="RtprmE2E-3f7d1c4a-8b2e-4e61-9a55-0c2f6b9d1e70"
  printf '\007\000\000\000rtprm-e2e' > "$vars/$name" 2>/dev/null
  got="$(tail -c +5 "$vars/$name" 2>/dev/null)"
  if [ "$got" = "rtprm-e2e" ]; then ok efivars-write "written and read back"
  else bad efivars-write "read back '$got'"; fi
  # efivarfs creates files immutable: efivar_rm lifts the flag, then unlinks
  err="$(efivar_rm "$vars/$name" 2>&1)"
  if [ -e "$vars/$name" ]; then bad efivars-delete "still present: $err"; else ok efivars-delete "deleted"; fi
else
  bad efivars-list "efivarfs empty or not mounted"
fi

# 2b. Secure Boot (rtprm_secureboot=1): the SecureBoot variable (4 bytes of
#     attributes, then the value) must be 1, read through our re-relocated
#     variable path; the kernel's own view is information.
if [ "$(arg rtprm_secureboot)" = 1 ]; then
  sbv="$(dd if="$vars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')"
  if [ "$sbv" = 1 ]; then ok secureboot "SecureBoot=1 ($(dmesg | grep -m1 -o 'Secure boot enabled' || echo 'no kernel message'))"
  else bad secureboot "SecureBoot variable reads '${sbv:-nothing}'"; fi
  echo "RTPRM-LINUX: info $(dmesg | grep -m1 -o 'Kernel is locked down.*' || echo 'no lockdown message')"
fi

# 3. PRM: Linux's PRMT parser (drivers/acpi/prmt.c) found our modules.
want="$(arg prm_modules)"
if [ -n "$want" ]; then
  line="$(dmesg | grep -m1 'PRM: found')"
  case "$line" in
    *"found $want module"*) ok prm-found "$line" ;;
    *) bad prm-found "want $want, dmesg: '${line:-none}'" ;;
  esac
  warn="$(dmesg | grep -i 'prm' | grep -i -m1 'fail\|invalid\|error\|warn')"
  if [ -n "$warn" ]; then bad prm-warnings "$warn"; else ok prm-warnings "none"; fi
fi

# 3b. The hello handler's DIR64 fixup (PrmSampleContext's
#     rp_sample_hello_fixup) after SetVirtualAddressMap: the PRMT gives the
#     handler's physical address (handler info: revision, length, GUID, then
#     the address), the image's physical base is that minus the handler's
#     RVA, and the slot at base + F must now hold the handler's virtual
#     address. EFI runtime code is not System RAM to Linux, so /dev/mem
#     reads it.
fix="$(arg rtprm_prm_fixup)"
if [ -n "$fix" ]; then
  hrva=$((${fix%,*})); frva=$((${fix#*,}))
  hello="6e3a0b1f7d2c854eb1490d6a9327e511"  # 1f0b3a6e-2c7d-4e85-b149-0d6a9327e511, as stored
  t=/sys/firmware/acpi/tables/PRMT
  hex="$(od -An -tx1 -v "$t" 2>/dev/null | tr -d ' \n')"
  rest="${hex#*$hello}"
  if [ -z "$hex" ] || [ "$rest" = "$hex" ]; then
    bad prm-fixup "hello handler not in $t"
  else
    pa=$((0x$(echo "$rest" | cut -c1-16 | sed 's/\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\8\7\6\5\4\3\2\1/')))
    slot=$((pa - hrva + frva))
    va="$(devmem "$(printf '0x%x' "$slot")" 64 2>&1)"
    case "$va" in
      0x*) va=$(($va)) ;;
      *) va="" ;;
    esac
    if [ -z "$va" ]; then
      bad prm-fixup "cannot read $(printf '0x%x' "$slot") through /dev/mem"
    elif [ "$(arg rtprm_prm_fixup_expect)" = identity ]; then
      # arm64 Linux without SetVirtualAddressMap: runtime regions mapped 1:1
      if [ "$va" -eq "$pa" ]; then ok prm-fixup "handler at $(printf '0x%x' "$pa"), fixup unchanged: 1:1 mapping"
      else bad prm-fixup "handler at physical $(printf '0x%x' "$pa"), fixup $(printf '0x%x' "$va"): moved, want 1:1"; fi
    elif [ "$va" -eq "$pa" ]; then
      bad prm-fixup "handler at physical $(printf '0x%x' "$pa"): fixups STALE ($(printf '0x%x' "$va"))"
    elif [ $(((va - pa) & 0xfff)) -ne 0 ]; then
      bad prm-fixup "handler at physical $(printf '0x%x' "$pa"), fixup $(printf '0x%x' "$va"): not a page move"
    else
      d=$((va - pa)); sign=+
      [ "$d" -lt 0 ] && d=$((-d)) && sign=-
      ok prm-fixup "handler physical $(printf '0x%x' "$pa") -> virtual $(printf '0x%x' "$va"), delta $sign$(printf '0x%x' "$d")"
    fi
  fi
fi

# 3c. The hello handler run through the firmware's SSDT (\_SB.PRMT.RUNS) by
#     the probe table's _UID: the PRM status byte Linux wrote back, 0 = the
#     handler returned EFI_SUCCESS (context, static data, fixups checked).
if [ "$(arg rtprm_prm_probe)" = 1 ]; then
  u=/sys/bus/acpi/devices/RTPR0001:00/uid
  if [ -r "$u" ] && [ "$(cat "$u")" = 0 ]; then
    ok prm-handler "RUNS(hello) through the SSDT: PRM status 0 (EFI_SUCCESS)"
  elif [ -r "$u" ]; then
    bad prm-handler "RUNS(hello) through the SSDT: PRM status $(cat "$u") (1: the handler returned an error)"
  else
    bad prm-handler "no $u (probe table not installed or its _UID failed)"
  fi
fi

# 4. The real-time clock read after virtual mode (x86: rtc_cmos, which
#    reads the CMOS itself; arm64: rtc-efi, which calls GetTime at its
#    virtual address).
rtc=/sys/class/rtc/rtc0
want_rtc="$(arg rtprm_rtc)"
rtc_driver() { set -- $(cat "$1/name" 2>/dev/null); echo "$1"; }  # name: "<driver> <device>"
if [ -n "$want_rtc" ]; then
  for r in /sys/class/rtc/rtc*; do
    [ "$(rtc_driver "$r")" = "$want_rtc" ] && rtc="$r" && break
  done
fi
if [ -n "$want_rtc" ] && [ "$(rtc_driver "$rtc")" != "$want_rtc" ]; then
  bad rtc "no RTC named $want_rtc ($(cat /sys/class/rtc/rtc*/name 2>/dev/null | tr '\n' ' '))"
elif [ -r "$rtc/date" ] && [ -n "$(cat "$rtc/date" 2>/dev/null)" ]; then
  ok rtc "$(cat "$rtc/name") $(cat "$rtc/date") $(cat "$rtc/time")"
else
  bad rtc "no readable $rtc"
fi

if [ "$(arg rtprm_dump_prmt)" = 1 ]; then
  t=/sys/firmware/acpi/tables/PRMT
  if [ -r "$t" ]; then
    od -An -tx1 -v "$t" | sed 's/ //g; s/^/RTPRM-PRMT: /'
    ok prmt-dump "$(wc -c < "$t") bytes"
  else
    bad prmt-dump "no $t"
  fi
fi

if [ "$fails" -eq 0 ]; then echo "RTPRM-LINUX: PASS"; else echo "RTPRM-LINUX: FAIL ($fails checks)"; fi
if [ "$(arg rtprm_reboot)" = 1 ]; then
  echo "RTPRM-LINUX: reboot -f (reboot=efi: the firmware's ResetSystem)"
  reboot -f
fi
poweroff -f
