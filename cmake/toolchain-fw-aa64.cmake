set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(RTPRM_FW_TRIPLE aarch64-unknown-windows)
set(RTPRM_FW_MACHINE arm64)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-fw-common.cmake)
