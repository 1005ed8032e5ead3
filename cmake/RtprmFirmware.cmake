# SPDX-License-Identifier: BSD-2-Clause-Patent
# rtprm_add_efi(): one freestanding PE32+ UEFI image per call, linked by
# lld-link (the link rule lives in cmake/toolchain-fw-common.cmake).
#
#   rtprm_add_efi(<NAME>
#     SUBSYSTEM <efi_application|efi_boot_service_driver|efi_runtime_driver>
#     ENTRY     <symbol>                 # EFIAPI entry point, e.g. efi_main
#     SOURCES   <file>...
#     [LIBRARIES <target>...]            # extra libraries (before the core)
#     [DEFINES   <NAME=VALUE>...]        # extra compile definitions
#     [LINK_OPTIONS <lld-link option>...]
#     [VERSION  <major.minor>])          # Major/MinorImageVersion (PRM modules)
#
# Produces ${CMAKE_BINARY_DIR}/bin/<NAME>.efi, i.e. build/fw-<arch>/bin/<NAME>.efi.
#
# Image layout rules (checked on the host by harnesses/firmware/check_efi.py):
#  * base relocations are kept (lld-link emits .reloc by default). /fixed is
#    never used: it strips .reloc and sets IMAGE_FILE_RELOCS_STRIPPED, and a
#    UEFI loader must be able to place the image anywhere;
#  * no imports: /nodefaultlib, and the image links only our own archives;
#  * sections are page aligned (/align:4096) so the firmware can apply
#    per-section W^X and NX attributes; AArch64 runtime drivers use 64 KiB
#    (UEFI 2.10 §2.3.6: an OS may run with 64 KiB pages, runtime regions
#    must not share such a page with other memory types);
#  * /filealign:512, the PE minimum for non-tiny images;
#  * /Brepro: reproducible images (TimeDateStamp is a hash of the content,
#    not the link time), so corpus/pe seeds can be rebuilt byte for byte.
if(COMMAND rtprm_add_efi)
  return()
endif()

set(RTPRM_EFI_SUBSYSTEMS efi_application efi_boot_service_driver efi_runtime_driver)

function(rtprm_add_efi NAME)
  cmake_parse_arguments(PARSE_ARGV 1 EFI "" "SUBSYSTEM;ENTRY;VERSION" "SOURCES;LIBRARIES;DEFINES;LINK_OPTIONS")
  if(EFI_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "rtprm_add_efi(${NAME}): unexpected arguments: ${EFI_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT EFI_SUBSYSTEM IN_LIST RTPRM_EFI_SUBSYSTEMS)
    message(FATAL_ERROR "rtprm_add_efi(${NAME}): SUBSYSTEM must be one of ${RTPRM_EFI_SUBSYSTEMS}, got '${EFI_SUBSYSTEM}'")
  endif()
  if(NOT EFI_ENTRY)
    message(FATAL_ERROR "rtprm_add_efi(${NAME}): ENTRY <symbol> is required")
  endif()
  if(NOT EFI_SOURCES)
    message(FATAL_ERROR "rtprm_add_efi(${NAME}): SOURCES is required")
  endif()
  if(NOT RTPRM_FIRMWARE)
    message(FATAL_ERROR "rtprm_add_efi(${NAME}): only available in a firmware (fw-*) build")
  endif()

  set(align 4096)
  if(EFI_SUBSYSTEM STREQUAL "efi_runtime_driver" AND RTPRM_FW_MACHINE STREQUAL "arm64")
    set(align 65536)
  endif()

  add_executable(${NAME} ${EFI_SOURCES})
  rtprm_freestanding(${NAME})
  target_link_libraries(${NAME} PRIVATE ${EFI_LIBRARIES} rtprm_platform_uefi rtprm_core rtprm_fw_libc)
  if(EFI_DEFINES)
    target_compile_definitions(${NAME} PRIVATE ${EFI_DEFINES})
  endif()
  set_target_properties(${NAME} PROPERTIES OUTPUT_NAME ${NAME} SUFFIX ".efi")
  target_link_options(${NAME} PRIVATE
    /subsystem:${EFI_SUBSYSTEM}
    /entry:${EFI_ENTRY}
    /filealign:512
    /opt:ref
    /Brepro
    ${EFI_LINK_OPTIONS})
  # 4096 is lld-link's default; /align is passed only to raise it (lld-link
  # then warns "/align specified without /driver": harmless for EFI images).
  if(NOT align EQUAL 4096)
    target_link_options(${NAME} PRIVATE /align:${align})
  endif()
  if(EFI_VERSION)
    target_link_options(${NAME} PRIVATE /version:${EFI_VERSION})
  endif()
endfunction()
