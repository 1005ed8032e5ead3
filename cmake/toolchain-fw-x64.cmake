set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(RTPRM_FW_TRIPLE x86_64-unknown-windows)
set(RTPRM_FW_MACHINE x64)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-fw-common.cmake)
