#!/usr/bin/env bash
# Cross set-up for one Linux target (`scripts/setup.sh --cross aarch64` calls it after the host set-up):
# Debian multiarch packages + qemu-user, a clang-14/qemu smoke test, then the C runtime in build-<triple>/.
# Idempotent: seconds when everything is already there. Debian 12 (or derivatives with multiarch).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup-cross:\033[0m %s\n' "$*"; }
die() { printf 'setup-cross: %s\n' "$*" >&2; exit 1; }

# Target table: the name users pass -> GNU triple, Debian architecture, qemu-user binary.
# To add a target, add a line here and a cmake/toolchain-<triple>.cmake (see docs/targets.md).
select_target() {
  case "$1" in
    aarch64 | arm64 | aarch64-linux-gnu) TRIPLE=aarch64-linux-gnu DEB_ARCH=arm64 QEMU=qemu-aarch64 ;;
    *) die "unknown cross target '$1' (known: aarch64)" ;;
  esac
}

# Libraries the runtime and the programs tulc links need, in the target's architecture.
# libc6-dev:<arch> brings libc6:<arch>, whose loader (/lib/ld-linux-<arch>.so.1) lets qemu run programs
# without -L (with `-L /usr/<triple>` tulc programs hang at start-up under qemu 7.2).
TARGET_LIBS=(libc6-dev libgc-dev libuv1-dev libdw-dev libelf-dev libutf8proc-dev libcurl4-openssl-dev
            libpcre2-dev libssl-dev)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Host tools: the cross binutils, crt files and libgcc (clang-14 finds them by the triple), and qemu-user.
host_packages() { echo "gcc-$TRIPLE" qemu-user clang-14 cmake pkg-config; }
target_packages() { local p; for p in "${TARGET_LIBS[@]}"; do echo "$p:$DEB_ARCH"; done; }

install_packages() {
  local missing=() p
  for p in $(host_packages) $(target_packages); do installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  if ! dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH"; then
    log "enabling the $DEB_ARCH architecture (dpkg multiarch)"
    $SUDO dpkg --add-architecture "$DEB_ARCH"
  fi
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq
  # Multiarch -dev packages must have the same version as the host's: upgrade both together.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A C program that uses the GC and the event loop: proves the compiler, linker, libraries and qemu work.
SMOKE_C='#include <gc.h>
#include <uv.h>
#include <stdio.h>
static int fired;
static void on_timer(uv_timer_t *t) { fired++; uv_close((uv_handle_t *)t, NULL); }
int main(void) {
  GC_INIT();
  long *p = GC_MALLOC(64 * sizeof(long));
  for (int i = 0; i < 64; i++) p[i] = i;
  GC_gcollect();
  uv_timer_t t;
  uv_timer_init(uv_default_loop(), &t);
  uv_timer_start(&t, on_timer, 1, 0);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  printf("smoke %ld %d\n", p[63], fired);
  return 0;
}'

smoke_test() {
  local dir out status=0
  dir=$(mktemp -d)
  printf '%s\n' "$SMOKE_C" >"$dir/smoke.c"
  if ! clang-14 --target="$TRIPLE" -O2 "$dir/smoke.c" -o "$dir/smoke" -luv -lgc -lpthread; then
    status=1
    log "clang-14 --target=$TRIPLE could not build a C program with libgc and libuv"
  elif ! out=$("$QEMU" "$dir/smoke") || [ "$out" != "smoke 63 1" ]; then
    status=1
    log "$QEMU could not run the $TRIPLE smoke test (printed '${out:-}', expected 'smoke 63 1')"
  fi
  rm -rf "$dir"
  return "$status"
}

build_runtime() {
  local dir="build-$TRIPLE"
  if [ ! -f CMakeLists.txt ]; then
    log "no CMakeLists.txt yet: skipping the $TRIPLE runtime"
    return 0
  fi
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-$TRIPLE.cmake" >/dev/null
  fi
  # Compiler warnings are the native build's business: show the log only when the build fails.
  if ! cmake --build "$dir" -j "$(nproc)" >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log" >&2
    die "building the $TRIPLE runtime failed (full log: $dir/build.log)"
  fi
  for lib in libtulrt.a libtulrt_main.a; do
    [ -f "$dir/runtime/$lib" ] || die "$dir/runtime/$lib was not built"
  done
}

main() {
  [ $# -eq 1 ] || die "usage: scripts/setup-cross.sh TARGET   (TARGET: aarch64)"
  [ "$(uname -s)" = Linux ] && command -v dpkg >/dev/null || die "cross set-up needs a Debian-based Linux host"
  select_target "$1"
  install_packages
  log "smoke test: clang-14 --target=$TRIPLE + $QEMU"
  smoke_test || die "smoke test failed"
  log "building the C runtime for $TRIPLE (build-$TRIPLE/runtime)"
  build_runtime
  log "ready: ./bin/tulc build app.tul --target $TRIPLE -o app && $QEMU ./app"
}

main "$@"
