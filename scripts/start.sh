#!/usr/bin/env bash
# Sets up and starts Baton: installs dependencies (with the Electron binary), builds, launches.
source "$(dirname "$0")/lib.sh"
install_node_modules
if ! node -e "require('electron')" >/dev/null 2>&1 || [ ! -x "$(node -p "require('electron')" 2>/dev/null)" ]; then
  echo "» fetching the Electron binary"
  node node_modules/electron/install.js || {
    echo "The Electron binary could not be downloaded here. Everything but the window itself runs without it: see 'npm test'." >&2
    exit 1
  }
fi
npm run build
exec npx electron .
