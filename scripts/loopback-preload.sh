#!/usr/bin/env bash
# Prints the path of the demo's preload library (test/lab/demo/loopbackInterfaces.c: its processes
# see only the loopback interface, so whatever they bind is on 127.0.0.1), building it first when
# it is missing or older than its source. Exits 1 with one sentence when there is no C compiler.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/test/lab/demo/loopbackInterfaces.c"
# Beside the lab's run folders, not in dist/ (which electron-builder packages).
out="$root/.lab-run/demo/loopback-interfaces.so"
if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
  if ! command -v cc >/dev/null; then
    echo "The demo keeps everything it opens on 127.0.0.1 with a small library it builds with a C compiler, and there is none here: sudo apt-get install gcc" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$out")"
  cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out.$$" "$src" -ldl
  mv "$out.$$" "$out"
fi
echo "$out"
