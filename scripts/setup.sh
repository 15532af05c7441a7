#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to build and test Tulpar: system packages, npm packages,
# the C runtime (CMake) and the TypeScript compiler. Idempotent: seconds when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# System packages the toolchain, the runtime and the tests use.
PACKAGES=(clang-14 llvm-14-dev cmake make g++ pkg-config python3
          libgc-dev libuv1-dev libcurl4-openssl-dev libutf8proc-dev libdw-dev)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node_modules() {
  # npm ci only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci (builds llvm-bindings against LLVM 14: about two minutes the first time)"
    npm ci --no-audit --no-fund
  fi
  # npm versions that skip install scripts leave llvm-bindings unbuilt: build it explicitly.
  if [ ! -f node_modules/llvm-bindings/build/Release/llvm-bindings.node ]; then
    log "building llvm-bindings"
    npm rebuild llvm-bindings
  fi
}

build_runtime() {
  if [ ! -f build/CMakeCache.txt ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-14 >/dev/null
  fi
  cmake --build build -j "$(nproc)" >/dev/null
}

build_compiler() {
  npx tsc -p tsconfig.json
}

install_packages
install_node_modules
log "building the C runtime"
build_runtime
log "building tulc"
build_compiler
log "ready: ./bin/tulc --help"
