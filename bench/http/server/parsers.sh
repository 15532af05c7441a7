#!/usr/bin/env bash
# Builds and runs parsers.c: llhttp (Debian's node-llhttp sources) against picohttpparser from
# Debian's libh2o.so (libh2o-dev). Usage: bench/http/server/parsers.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; out="${OUT:-/tmp/tul-parser-bench}"; mkdir -p "$out"
[ -f /usr/share/llhttp/llhttp.c ] || { echo "needs node-llhttp (apt-get install node-llhttp)"; exit 1; }
[ -e /usr/lib/x86_64-linux-gnu/libh2o.so ] || [ -e "/usr/lib/$(gcc -dumpmachine 2>/dev/null)/libh2o.so" ] || { echo "needs libh2o-dev"; exit 1; }
clang-14 -O2 -w -I/usr/share/include/llhttp "$here/parsers.c" /usr/share/llhttp/llhttp.c /usr/share/llhttp/api.c \
  /usr/share/llhttp/http.c -lh2o -o "$out/parsers"
"$out/parsers"
