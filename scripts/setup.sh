#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to build and test Tulpar: system packages, npm packages,
# the C runtime (CMake) and the TypeScript compiler. Idempotent: seconds when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# ---- begin: options and macOS (Homebrew) support ----
usage() { echo "usage: scripts/setup.sh [--cross aarch64] [--bench]   (see docs/targets.md; --bench: the benchmarks' peers)"; }
CROSS=""
BENCH=""
while (($#)); do
  case "$1" in
    --cross) [ $# -ge 2 ] || { usage >&2; exit 2; }; CROSS="$2"; shift 2 ;;
    --cross=*) CROSS="${1#--cross=}"; shift ;;
    --bench) BENCH=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

ncpu() { getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2; }

# macOS: the same libraries from Homebrew. libdw does not exist there: the runtime builds without it
# and tulc links a call-site table into each program (llvm-objdump/llvm-symbolizer from llvm@14).
BREW_PACKAGES=(llvm@14 bdw-gc libuv curl utf8proc llhttp pcre2 openssl@3 cmake pkg-config)

install_brew_packages() {
  command -v brew >/dev/null || { echo "setup: macOS needs Homebrew (https://brew.sh)" >&2; exit 1; }
  local missing=() p
  for p in "${BREW_PACKAGES[@]}"; do brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]} > 0)); then
    log "brew install ${missing[*]}"
    brew install "${missing[@]}"
  fi
  local llvm brew_prefix
  llvm=$(brew --prefix llvm@14)
  brew_prefix=$(brew --prefix)
  # llvm@14 is keg-only: put clang-14 on PATH for tulc (a single symlink, nothing else is linked;
  # tulc finds llvm-objdump, llvm-symbolizer and dsymutil beside its target), and let CMake
  # (llvm-bindings via cmake-js, the runtime) find LLVM 14 and the keg-only curl.
  local clang="$llvm/bin/clang-14"
  [ -x "$clang" ] || clang="$llvm/bin/clang"
  [ -x "$brew_prefix/bin/clang-14" ] || ln -sf "$clang" "$brew_prefix/bin/clang-14"
  export PATH="$llvm/bin:$PATH"
  export CMAKE_PREFIX_PATH="$llvm:$brew_prefix${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export PKG_CONFIG_PATH="$(brew --prefix curl)/lib/pkgconfig:$(brew --prefix openssl@3)/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  SDKROOT=$(xcrun --show-sdk-path)
  export SDKROOT
}

if [ "$(uname -s)" = Darwin ] && [ -n "$CROSS" ]; then
  echo "setup: --cross needs a Debian-based Linux host (see docs/targets.md)" >&2
  exit 2
fi
# ---- end: options and macOS support ----

# System packages the toolchain, the runtime and the tests use.
PACKAGES=(clang-14 llvm-14-dev cmake make g++ pkg-config python3
          libgc-dev libuv1-dev libcurl4-openssl-dev libutf8proc-dev libdw-dev libelf-dev
          libpcre2-dev libssl-dev  # regular expressions; libcrypto for hashes and base64
          openssl libclang-rt-14-dev node-llhttp)  # openssl: the HTTP suite's TLS certificate; clang-rt:
          # the ASan build; node-llhttp: llhttp's C sources (the HTTP server's parser, compiled into the runtime)

# The peers bench/ compares against (Go, Crystal, Python come with python3 above) and its load
# generator and timer; only with --bench: tests and builds do not need them.
BENCH_PACKAGES=(golang-go crystal wrk hyperfine)

install_packages() {
  local missing=()
  for p in "$@"; do
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
  cmake --build build -j "$(ncpu)" >/dev/null
}

build_compiler() {
  npx tsc -p tsconfig.json
}

if [ "$(uname -s)" = Darwin ]; then install_brew_packages; else install_packages "${PACKAGES[@]}"; fi
if [ -n "$BENCH" ]; then
  if [ "$(uname -s)" = Darwin ]; then brew install go crystal wrk hyperfine; else install_packages "${BENCH_PACKAGES[@]}"; fi
fi
install_node_modules
log "building tulc"
build_compiler  # first: without libdw (macOS) the runtime's trace tests use dist/codegen/toolchain/linetable.js
log "building the C runtime"
build_runtime
log "ready: ./bin/tulc --help"
# Cross targets (their runtime in build-<triple>/runtime), after the host set-up.
if [ -n "$CROSS" ]; then ./scripts/setup-cross.sh "$CROSS"; fi
