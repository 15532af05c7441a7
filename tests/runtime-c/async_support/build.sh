#!/usr/bin/env bash
# Scratch build of the async runtime tests without CMake: build.sh [extra cflags...]
# Uses the real runtime sources when exc.c exists, otherwise async_support/stub_rt.c.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../../.."
out="${OUT:-/tmp/tul-async-build}"; mkdir -p "$out"
CC="${CC:-clang-14}"
CFLAGS=(-std=gnu11 -O2 -g -U_FORTIFY_SOURCE -Wall -Wextra -Wno-unused-parameter -I"$root/runtime-c/include" -I"$root/runtime-c/src/core" -I"$root/runtime-c/src/async" "$@")
srcs=("$root"/runtime-c/src/async/*.c)
if [ -f "$root/runtime-c/src/core/exc.c" ] && [ -z "${STUB:-}" ]; then
  mapfile -t other < <(ls "$root"/runtime-c/src/{core,io,net}/*.c)
  srcs+=("${other[@]}")
else
  srcs+=("$here/stub_rt.c")
fi
for t in "$root"/tests/runtime-c/async_*.c; do
  n="$(basename "$t" .c)"
  "$CC" "${CFLAGS[@]}" "$t" "${srcs[@]}" -o "$out/$n" -lgc -luv -ldw -lutf8proc -lcurl -lm -lpthread ${LIBS:-}
done
echo "built into $out"
