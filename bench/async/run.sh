#!/usr/bin/env bash
# Builds and runs the context-switch micro benchmark with both switch implementations, and the Go
# reference (go/sleepers.go) when Go is installed. Usage: bench/async/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."; out="${OUT:-/tmp/tul-async-bench}"; mkdir -p "$out"
src=("$root"/runtime-c/src/async/*.c)
if [ -f "$root/build/libtulrt.a" ]; then lib=("$root/build/libtulrt.a"); else lib=("$root/tests/runtime-c/async_support/stub_rt.c"); fi
for impl in asm setjmp ucontext; do
  def=(); [ "$impl" = ucontext ] && def=(-DTUL_SWITCH_UCONTEXT); [ "$impl" = setjmp ] && def=(-DTUL_SWITCH_SETJMP)
  clang-14 -std=gnu11 -O2 -U_FORTIFY_SOURCE "${def[@]}" -I"$root/runtime-c/include" -I"$root/runtime-c/src/core" -I"$root/runtime-c/src/async" "$here/switch_bench.c" \
    "${src[@]}" "${lib[@]}" -o "$out/switch_$impl" -lgc -luv -lm -lpthread -ldw -lutf8proc 2>/dev/null || \
  clang-14 -std=gnu11 -O2 -U_FORTIFY_SOURCE "${def[@]}" -I"$root/runtime-c/include" -I"$root/runtime-c/src/core" -I"$root/runtime-c/src/async" "$here/switch_bench.c" \
    "${src[@]}" "${lib[@]}" -o "$out/switch_$impl" -lgc -luv -lm -lpthread
  "$out/switch_$impl"
done
if command -v go >/dev/null; then
  (cd "$here/go" && go build -o "$out/go_sleepers" .)
  echo "Go reference:"; "$out/go_sleepers"; MODE=yield "$out/go_sleepers"
fi
