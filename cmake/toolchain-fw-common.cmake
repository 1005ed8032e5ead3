# SPDX-License-Identifier: BSD-2-Clause-Patent
# Freestanding PE32+ UEFI images with clang + lld-link (no GNU-EFI, no GenFw).
# Included by toolchain-fw-x64.cmake / toolchain-fw-aa64.cmake, which set
# RTPRM_FW_TRIPLE and RTPRM_FW_MACHINE first.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_AR llvm-ar-14)
set(CMAKE_RANLIB llvm-ranlib-14)
set(RTPRM_LLD_LINK lld-link-14)
# The compiler cannot link a test program without an entry point: check by archiving.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -mno-stack-arg-probe: frames > 4 KiB would otherwise call __chkstk.
# -fno-builtin is not used: the compiler may still emit memcpy/memset, which
#  impl/fw/fw_libc.c provides.
# -fstack-usage: per-function frame sizes (*.su) for tools/stack_budget.py.
set(_fw_flags "--target=${RTPRM_FW_TRIPLE} -ffreestanding -fshort-wchar -fno-stack-protector -fno-strict-aliasing -O2 -gcodeview -fstack-usage")
if(RTPRM_FW_MACHINE STREQUAL "x64")
  string(APPEND _fw_flags " -mno-red-zone -mno-stack-arg-probe")
else()
  string(APPEND _fw_flags " -mno-stack-arg-probe -mstrict-align")
endif()
set(CMAKE_C_FLAGS_INIT "${_fw_flags}")
set(CMAKE_C_LINK_EXECUTABLE
    "${RTPRM_LLD_LINK} /nologo /nodefaultlib /machine:${RTPRM_FW_MACHINE} /debug:none <LINK_FLAGS> <OBJECTS> <LINK_LIBRARIES> /out:<TARGET>")

# Header dependencies: CMake sets no depfile flags for the Generic platform,
# so without these ninja would not rebuild an object when a header it
# includes changes (a stale reasons.def table once shipped in an image).
set(CMAKE_DEPFILE_FLAGS_C "-MD -MT <DEP_TARGET> -MF <DEP_FILE>")
set(CMAKE_C_DEPFILE_FORMAT gcc)
set(CMAKE_C_DEPENDS_USE_COMPILER TRUE)
