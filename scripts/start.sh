#!/usr/bin/env bash
# Sets up and starts Baton: installs dependencies, builds, opens the desk.
#
# - No provisioning given (no --provisioning / --provisioning-url, no BATON_PROVISIONING[_URL], no
#   policy file): the demo — a private Kamailio on 127.0.0.1 and bots around a desk signed in as the
#   demo agent (test/lab/demo/start.ts).
# - The Electron window opens where it can; where it cannot (no display, or the Electron binary
#   cannot be downloaded) the same production bundle is served on http://127.0.0.1:PORT through the
#   loopback bridge, and the URL is printed. BATON_NO_WINDOW=1 asks for that fallback.
# Ctrl+C stops everything it started. The demo binds 127.0.0.1 only: its processes see only the
# loopback interface (scripts/loopback-preload.sh), WebRTC's gathering included.
source "$(dirname "$0")/lib.sh"

# The demo's processes (Kamailio, the bots' WebRTC, the desk, Electron) see only 127.0.0.1.
loopback_only_demo() {
  local preload
  preload=$(bash "$(dirname "$0")/loopback-preload.sh") || exit 1
  export LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}"
}

# The binary is fetched below, on its own, so that a machine that cannot download it still installs.
ELECTRON_SKIP_BINARY_DOWNLOAD=1 install_node_modules

provisioning_file=""
provisioned=""
for ((i = 1; i <= $#; i++)); do
  arg="${!i}"
  case "$arg" in
    --provisioning) next=$((i + 1)); provisioning_file="${!next:-}"; provisioned=yes ;;
    --provisioning=*) provisioning_file="${arg#--provisioning=}"; provisioned=yes ;;
    --provisioning-url | --provisioning-url=*) provisioned=yes ;;
  esac
done
[ -n "${BATON_PROVISIONING:-}" ] && { provisioned=yes; provisioning_file="${provisioning_file:-$BATON_PROVISIONING}"; }
[ -n "${BATON_PROVISIONING_URL:-}" ] && provisioned=yes
[ -f /etc/baton/provisioning.json ] && { provisioned=yes; provisioning_file="${provisioning_file:-/etc/baton/provisioning.json}"; }

electron_binary_ready() {
  local binary
  binary=$(node -p "require('electron')" 2>/dev/null) && [ -x "$binary" ]
}

no_window=""
if [ "${BATON_NO_WINDOW:-}" = 1 ]; then
  no_window="BATON_NO_WINDOW=1 asks for the browser instead."
elif [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  no_window="this session has no display (DISPLAY and WAYLAND_DISPLAY are unset)."
elif ! electron_binary_ready; then
  echo "» fetching the Electron binary"
  if ! timeout 180 node node_modules/electron/install.js || ! electron_binary_ready; then
    no_window="the Electron binary could not be downloaded on this machine."
  fi
fi

if [ -z "$no_window" ]; then
  npm run build
  if [ -n "$provisioned" ]; then exec npx electron . "$@"; fi
  loopback_only_demo
  exec node --import tsx test/lab/demo/start.ts --electron
fi

echo "» building the renderer bundle"
npx vite build --logLevel warn
if [ -z "$provisioned" ]; then
  loopback_only_demo
  exec node --import tsx test/lab/demo/start.ts --window-unavailable "$no_window"
fi
if [ -z "$provisioning_file" ]; then
  echo "No Baton window here: $no_window The browser fallback reads a provisioning file (--provisioning FILE), not a URL." >&2
  exit 1
fi
exec node --import tsx test/lab/demo/start.ts --window-unavailable "$no_window" --provisioning "$provisioning_file"
