# CMake toolchain: cross-builds the C runtime for 64-bit Arm Linux (glibc) into build-aarch64-linux-gnu/.
# Used by scripts/setup-cross.sh (`scripts/setup.sh --cross aarch64`); see docs/targets.md.
set(TUL_TARGET_TRIPLE aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(TUL_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux.cmake)
