#!/usr/bin/env bash
# Runs the explorer (test/integration/explorer.test.ts) longer than `npm test` does, with a fresh
# random seed unless one is given: npm run explore -- --runs 50 [--actions 16] [--seed N]
source "$(dirname "$0")/lib.sh"
runs=20 actions=16 seed=$(( $(date +%s) % 2147483647 ))
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --actions) actions=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: npm run explore -- [--runs N] [--actions N] [--seed N]" >&2; exit 2 ;;
  esac
done
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
install_node_modules
# About 5 s a sequence on two cores; shrinking a failure runs it again many times.
limit_ms=$(( runs * 30000 + 600000 ))
EXPLORE_PROGRESS=1 EXPLORE_RUNS=$runs EXPLORE_ACTIONS=$actions EXPLORE_SEED=$seed EXPLORE_TIME_LIMIT_MS=$limit_ms \
  exec bash scripts/loopback-only.sh npx vitest run test/integration/explorer.test.ts -t walks
