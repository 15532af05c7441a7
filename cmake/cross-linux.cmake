# Shared part of the Linux cross toolchain files (cmake/toolchain-<triple>.cmake): clang-14 with
# --target=<triple>, the target's Debian multiarch headers and libraries, and qemu-user for ctest.
# The including file sets TUL_TARGET_TRIPLE, CMAKE_SYSTEM_PROCESSOR and TUL_QEMU before including this.

set(CMAKE_SYSTEM_NAME Linux)

# One compiler for every language the runtime uses; clang cross-compiles given only the triple.
# It finds the cross binutils (<triple>-ld/as from binutils-<triple>) and the crt files/libgcc
# (/usr/lib/gcc-cross/<triple>) on its own.
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_C_COMPILER_TARGET ${TUL_TARGET_TRIPLE})
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_CXX_COMPILER_TARGET ${TUL_TARGET_TRIPLE})
set(CMAKE_ASM_COMPILER clang-14)
set(CMAKE_ASM_COMPILER_TARGET ${TUL_TARGET_TRIPLE})

# Debian multiarch: the target's libraries live in /usr/lib/<triple>, its arch-specific headers in
# /usr/include/<triple>. This makes find_library/find_path look there (and not in the host's dirs).
set(CMAKE_LIBRARY_ARCHITECTURE ${TUL_TARGET_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${TUL_TARGET_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config must read the target's .pc files only (libuv, bdw-gc, libdw, libcurl, libutf8proc).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${TUL_TARGET_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest (and anything CMake runs) executes target binaries under qemu-user when it is installed.
find_program(TUL_QEMU_PATH ${TUL_QEMU})
if(TUL_QEMU_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${TUL_QEMU_PATH})
endif()
