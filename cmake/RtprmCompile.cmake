# SPDX-License-Identifier: BSD-2-Clause-Patent
# Compiler flags shared by every build of the project.

# Warnings are errors on every build, host and firmware alike.
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes)

if(NOT RTPRM_FIRMWARE)
  add_compile_options(-g -fno-omit-frame-pointer)
  if(RTPRM_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
  endif()
  if(RTPRM_FUZZ_ENGINE STREQUAL "libfuzzer")
    # Coverage feedback for all code; only fuzz targets link the libFuzzer main.
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
  if(RTPRM_COVERAGE)
    # One build, two coverage formats: gcov notes/data for gcovr and
    # source-based profiles (with MC/DC) for llvm-cov. Needs clang >= 18.
    add_compile_options(--coverage -fprofile-instr-generate -fcoverage-mapping -fcoverage-mcdc)
    add_link_options(--coverage -fprofile-instr-generate)
  endif()
endif()

# The portable core must not reach for libc: on the host it is compiled
# freestanding without the system include path, exactly as in firmware.
function(rtprm_freestanding target)
  target_compile_options(${target} PRIVATE -ffreestanding -nostdlibinc)
endfunction()
