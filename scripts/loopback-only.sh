#!/usr/bin/env bash
# Runs a command in a network namespace of its own that has only the loopback interface, so tests
# and benchmarks cannot send a packet anywhere but 127.0.0.1/::1 — whatever a WebRTC stack decides
# to gather (wrtc binds every interface it sees). Needs root (CI and these machines are); elsewhere
# it runs the command as is, after saying so.
set -euo pipefail
if [ "${BATON_IN_LOOPBACK_NS:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  exec unshare -n env BATON_IN_LOOPBACK_NS=1 bash -c 'ip link set lo up && exec "$@"' bash "$@"
fi
[ "${BATON_IN_LOOPBACK_NS:-}" = 1 ] || echo "note: not root or no unshare — running without a loopback-only network namespace" >&2
exec "$@"
