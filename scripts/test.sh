#!/usr/bin/env bash
# Sets up and runs every test: type checks, unit, integration against a real Kamailio.
# Ends with one line of totals: "N passed, N failed".
source "$(dirname "$0")/lib.sh"

missing=()
command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ] || missing+=(kamailio kamailio-websocket-modules kamailio-presence-modules)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The media-relay tests: rtpengine between WebRTC agents and plain-RTP phones (linphonec, baresip), tones made by sox.
command -v rtpengine >/dev/null 2>&1 || missing+=(rtpengine-daemon)
command -v linphonec >/dev/null 2>&1 || missing+=(linphone-cli)
command -v baresip >/dev/null 2>&1 || missing+=(baresip-core)
command -v sox >/dev/null 2>&1 || missing+=(sox)
# Kamailio modules of the SIP Outbound and wss:// tests (separate Debian packages).
kamailio_module() { compgen -G "/usr/lib/*/kamailio/modules/$1.so" >/dev/null || compgen -G "/usr/lib/kamailio/modules/$1.so" >/dev/null; }
kamailio_module outbound || missing+=(kamailio-outbound-modules)
kamailio_module tls || missing+=(kamailio-tls-modules)
if [ ${#missing[@]} -gt 0 ]; then
  echo "The tests run a real Kamailio (with its outbound and TLS modules) and rtpengine on 127.0.0.1, plain-RTP phones (linphonec, baresip) and Debian's Chromium. Install them first:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# Tests never run Electron itself; its binary is not needed (nor downloadable everywhere).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
install_node_modules

results=$(mktemp -d)
status=0
echo "» type check"
if npx tsc -p tsconfig.json --noEmit && npx tsc -p tsconfig.web.json --noEmit && npx tsc -p tsconfig.test.json --noEmit; then
  echo '{"passed":1,"failed":0}' > "$results/typecheck.json"
else
  echo '{"passed":0,"failed":1}' > "$results/typecheck.json"; status=1
fi
echo "» security gate (electronegativity from tools/, pinned by its own lockfile; npm audit of production dependencies)"
if { { [ -f tools/node_modules/.package-lock.json ] && [ ! tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; } || npm ci --prefix tools --no-audit --no-fund >/dev/null; } \
   && node scripts/security-gate.mjs --json "$results/security-gate.json"; then :; else
  status=1; [ -s "$results/security-gate.json" ] || echo '{"passed":0,"failed":1}' > "$results/security-gate.json"
fi
echo "» lint (ESLint with type information, Prettier; both from tools/)"
node scripts/lint.mjs --json "$results/lint.json" || { status=1; [ -s "$results/lint.json" ] || echo '{"passed":0,"failed":1}' > "$results/lint.json"; }
echo "» vitest (unit + integration)"
vitest_exit=0
bash scripts/loopback-only.sh npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || vitest_exit=$?
[ "$vitest_exit" -eq 0 ] || status=1
echo "» playwright (E2E: the renderer bundle in Chromium against the core)"
playwright_exit=0
BATON_E2E_JSON="$results/playwright.json" bash scripts/loopback-only.sh npx playwright test || playwright_exit=$?
[ "$playwright_exit" -eq 0 ] || status=1
# A runner that died before writing its report counts as failed, as do hook and setup failures, and
# a runner that exited non-zero for something its report leaves out (vitest's unhandled errors).
node scripts/totals.mjs "$results" --expect typecheck,security-gate,lint,vitest,playwright \
  --exit "vitest=$vitest_exit,playwright=$playwright_exit" || status=1
exit $status
