# Shared by scripts/start.sh and scripts/test.sh: install node modules when the lockfile changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_npm_ci() {
  [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]
}

install_node_modules() {
  if need_npm_ci; then
    echo "» npm ci"
    npm ci --no-audit --no-fund
  fi
}
