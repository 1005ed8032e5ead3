# SPDX-License-Identifier: BSD-2-Clause-Patent
# Shared by harnesses/e2e and harnesses/edk2 (include()d, so each directory
# gets the variables): where our images and the runners are, and the
# functions that register QEMU scenarios as ctest tests.
if(NOT DEFINED RTPRM_FW_BIN_X64)
  set(RTPRM_FW_BIN_X64 ${CMAKE_SOURCE_DIR}/build/fw-x64/bin)
  set(RTPRM_FW_BIN_AA64 ${CMAKE_SOURCE_DIR}/build/fw-aa64/bin)
endif()
set(RTPRM_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})
set(RTPRM_E2E_RUNNER ${RTPRM_E2E_DIR}/ovmf_run.py)
set(RTPRM_E2E_REPORTS ${RTPRM_REPORTS_DIR}/e2e)

# rtprm_each_flag(<list-var> <flag> [value...]): appends "<flag> <value>"
# to <list-var> for every value (repeatable runner options).
function(rtprm_each_flag var flag)
  set(out ${${var}})
  foreach(v IN LISTS ARGN)
    list(APPEND out ${flag} ${v})
  endforeach()
  set(${var} ${out} PARENT_SCOPE)
endfunction()

# rtprm_e2e_test(<scenario> ARCH <x64|aa64> [EFI <image>] [TIMEOUT s]
#                [CODE flash.fd VARS vars.fd] [EXPECT line...]
#                [EXPECT_DEBUGCON line...] [FORBID line...] [ADD src:dest...])
# Registers ctest "e2e.<scenario>"; the runner writes reports/e2e/<scenario>/.
# CODE/VARS: a firmware build of ours (harnesses/edk2) instead of Debian's.
function(rtprm_e2e_test scenario)
  cmake_parse_arguments(PARSE_ARGV 1 E "" "ARCH;EFI;TIMEOUT;CODE;VARS" "EXPECT;EXPECT_DEBUGCON;FORBID;ADD")
  if(NOT E_TIMEOUT)
    set(E_TIMEOUT 60)
  endif()
  set(args --arch ${E_ARCH} --scenario ${scenario} --timeout ${E_TIMEOUT} --reports ${RTPRM_E2E_REPORTS})
  if(E_EFI)
    list(APPEND args --efi ${E_EFI})
  endif()
  if(E_CODE)
    list(APPEND args --code ${E_CODE} --vars-template ${E_VARS})
  endif()
  rtprm_each_flag(args --expect ${E_EXPECT})
  rtprm_each_flag(args --expect-debugcon ${E_EXPECT_DEBUGCON})
  rtprm_each_flag(args --forbid ${E_FORBID})
  rtprm_each_flag(args --add ${E_ADD})
  add_test(NAME e2e.${scenario} COMMAND ${RTPRM_PYTHON} ${RTPRM_E2E_RUNNER} ${args})
  math(EXPR ctest_timeout "${E_TIMEOUT} + 30")
  set_tests_properties(e2e.${scenario} PROPERTIES LABELS e2e TIMEOUT ${ctest_timeout} PROCESSORS 1)
endfunction()

# Linux as the consumer (harnesses/e2e/linux/): Debian's kernel and
# busybox-static fetched with apt-get download into build/e2e-cache (the only
# network use, Debian's archive), booted from the OVMF shell.
# rtprm_linux_test(<scenario> [SHELL_LOAD] [REBOOT] [DRIVERS img[:name]...] [PRM_MODULES n]
#                  [FLASH dir] [EXPECT line...] [EXPECT_DEBUGCON line...] [FORBID line...]
#                  [KERNEL_ARGS word...] [ADD src:dest...] [SHELL_BEFORE line...]
#                  [NEGATIVE_CONTROL line] [FIXTURES_SETUP name] [FIXTURES_REQUIRED name...])
# DRIVERS load as Driver#### options (a setup boot first) or, with
# SHELL_LOAD, from the shell right before the kernel. FLASH: a directory with
# CODE.fd and VARS.fd (an EDK II build of harnesses/edk2/) instead of
# Debian's OVMF. REBOOT: /init ends with reboot -f (reboot=efi) and the run
# passes once the firmware printed --boot-marker twice. NEGATIVE_CONTROL: a
# deliberately broken build; the test passes only if the scenario fails with
# that line in the logs.
# AArch64 (docs/e2e.md "AArch64"): ARCH aa64 boots AAVMF and Debian's arm64
# kernel (fetch_arm64.py) on CPU (e.g. max); RTC NAME: /init must read that
# RTC driver's clock; PRM_FIXUP img: /init reads the hello handler's fixup
# through /dev/mem; PRM_PROBE: the probe SSDT exposes the handler's PRM
# status. QEMU_ARGS: extra QEMU words for both boots. BOOT_TIMEOUT: seconds
# per QEMU boot (default 60); LABEL: the ctest label (default e2e; e2e-slow
# for scenarios over 90 s). SECURE_BOOT (x64): Debian's snakeoil OVMF, the
# drivers (IMG[:NAME[:unsigned|:tampered]]) and the kernel signed at run
# time and loaded by RtprmSbLoader.efi (linux_run.py --secure-boot).
function(rtprm_linux_test scenario)
  cmake_parse_arguments(PARSE_ARGV 1 L "SHELL_LOAD;REBOOT;PRM_PROBE;SECURE_BOOT"
                        "PRM_MODULES;NEGATIVE_CONTROL;FLASH;FIXTURES_SETUP;ARCH;CPU;RTC;PRM_FIXUP;BOOT_TIMEOUT;LABEL"
                        "DRIVERS;EXPECT;EXPECT_DEBUGCON;FORBID;KERNEL_ARGS;ADD;SHELL_BEFORE;FIXTURES_REQUIRED;QEMU_ARGS")
  if(NOT L_ARCH)
    set(L_ARCH x64)
  endif()
  if(NOT L_BOOT_TIMEOUT)
    set(L_BOOT_TIMEOUT 60)
  endif()
  if(NOT L_LABEL)
    set(L_LABEL e2e)
  endif()
  set(args --scenario ${scenario} --arch ${L_ARCH} --reports ${RTPRM_E2E_REPORTS}
           --cache ${CMAKE_SOURCE_DIR}/build/e2e-cache --timeout ${L_BOOT_TIMEOUT})
  if(DEFINED L_CPU)
    list(APPEND args --cpu ${L_CPU})
  endif()
  if(DEFINED L_RTC)
    list(APPEND args --rtc ${L_RTC})
  endif()
  if(DEFINED L_PRM_FIXUP)
    list(APPEND args --prm-fixup ${L_PRM_FIXUP})
  endif()
  if(L_PRM_PROBE)
    list(APPEND args --prm-probe)
  endif()
  foreach(q IN LISTS L_QEMU_ARGS)
    list(APPEND args --qemu-arg=${q}) # one word: QEMU arguments start with '-'
  endforeach()
  if(L_REBOOT)
    list(APPEND args --reboot)
  endif()
  if(L_SECURE_BOOT)
    list(APPEND args --secure-boot --loader ${RTPRM_FW_BIN_X64}/RtprmSbLoader.efi)
  endif()
  if(DEFINED L_FLASH)
    list(APPEND args --code ${L_FLASH}/CODE.fd --vars-template ${L_FLASH}/VARS.fd)
  endif()
  rtprm_each_flag(args --kernel-arg ${L_KERNEL_ARGS})
  rtprm_each_flag(args --add ${L_ADD})
  rtprm_each_flag(args --shell-before ${L_SHELL_BEFORE})
  if(L_SHELL_LOAD)
    list(APPEND args --shell-load)
  endif()
  rtprm_each_flag(args --driver ${L_DRIVERS})
  if(DEFINED L_PRM_MODULES)
    list(APPEND args --prm-modules ${L_PRM_MODULES})
  endif()
  if(DEFINED L_NEGATIVE_CONTROL)
    list(APPEND args --negative-control ${L_NEGATIVE_CONTROL})
  endif()
  rtprm_each_flag(args --expect ${L_EXPECT})
  rtprm_each_flag(args --expect-debugcon ${L_EXPECT_DEBUGCON})
  rtprm_each_flag(args --forbid ${L_FORBID})
  add_test(NAME e2e.${scenario} COMMAND ${RTPRM_PYTHON} ${RTPRM_E2E_DIR}/linux/linux_run.py ${args})
  # a setup boot and the Linux boot, each bounded by BOOT_TIMEOUT, plus the
  # fetch (x64: 240 s as before)
  math(EXPR ctest_timeout "2 * ${L_BOOT_TIMEOUT} + 120")
  set_tests_properties(e2e.${scenario} PROPERTIES LABELS ${L_LABEL} TIMEOUT ${ctest_timeout} PROCESSORS 1)
  if(DEFINED L_FIXTURES_SETUP)
    set_tests_properties(e2e.${scenario} PROPERTIES FIXTURES_SETUP ${L_FIXTURES_SETUP})
  endif()
  if(DEFINED L_FIXTURES_REQUIRED)
    set_tests_properties(e2e.${scenario} PROPERTIES FIXTURES_REQUIRED "${L_FIXTURES_REQUIRED}")
  endif()
endfunction()

# What every Linux scenario with our PRM drivers checks: the hello handler
# ran at the kernel's virtual address with Linux's 'PRMC' context (revision
# 0), the static data buffer and its own DIR64 fixup re-applied; and what
# none may show.
set(linux_hello "PRM hello: handler at 0xffff" "context ok (PRMC v0), static data ok (PRMS), fixups ok")
set(linux_forbid "NX-protected" "BUG: unable to handle" "Oops:" "RTPRM-RT: NEGATIVE CONTROL")

# What every AArch64 Linux scenario loads and checks (docs/e2e.md "AArch64").
set(linux_aa64_drivers ${RTPRM_FW_BIN_AA64}/PrmConfigDxe.efi ${RTPRM_FW_BIN_AA64}/PrmSampleContext.efi
    ${RTPRM_FW_BIN_AA64}/PrmSampleMmio.efi ${RTPRM_FW_BIN_AA64}/PrmSsdtDxe.efi ${RTPRM_FW_BIN_AA64}/PrmLoaderDxe.efi)
set(linux_aa64_forbid "BUG: unable to handle" "Oops:" "Unable to handle kernel" "in EFI runtime service"
    "EFI Runtime Services are disabled" "failed to invoke the reset_system")
# Debian's arm64 kernel (48-bit VA) does not call SetVirtualAddressMap at
# all by default: its EFI stub maps runtime memory 1:1 in the user half and
# calls SetVirtualAddressMap only on machines whose SMBIOS type 4 record names
# an Ampere eMAG/Altra processor (firmware there needs it). QEMU's
# `-smbios type=4,version=eMAG` selects that path: the stub warns "Working
# around broken SetVirtualAddressMap()" and calls ours with its virtual map.
set(linux_aa64_base ARCH aa64 CPU max BOOT_TIMEOUT 300 REBOOT PRM_MODULES 2 RTC rtc-efi PRM_PROBE
    PRM_FIXUP ${RTPRM_FW_BIN_AA64}/PrmSampleContext.efi)
set(linux_aa64_svam_line "EFI stub: WARNING: Working around broken SetVirtualAddressMap()")
set(linux_aa64_common ${linux_aa64_base} KERNEL_ARGS efi=debug QEMU_ARGS -smbios type=4,version=eMAG)
# Our provider's own summary reaches the serial console through the SPCR
# UART (rp_uefi_log_uart_after_exit): the stub calls SetVirtualAddressMap on
# the firmware's translation tables.
set(linux_aa64_rt_line "RTPRM-RT: SetVirtualAddressMap EFI_SUCCESS: images")
