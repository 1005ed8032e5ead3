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
rm_dir=/sys/firmware/efi/runtime-map
if [ -d "$rm_dir" ]; then
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
if dmesg | grep -q "efi: EFI runtime services disabled\|Disabling EFI runtime"; then
  bad efi-runtime "$(dmesg | grep -m1 'runtime services')"
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

# 4. The real-time clock read after virtual mode (x86: rtc_cmos, which
#    reads the CMOS itself; arm64: rtc-efi, which calls GetTime at its
#    virtual address).
rtc=/sys/class/rtc/rtc0
if [ -r "$rtc/date" ] && [ -n "$(cat "$rtc/date" 2>/dev/null)" ]; then
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
