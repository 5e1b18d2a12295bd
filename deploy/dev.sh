#!/usr/bin/env bash
# Developer entry point behind `npm start` and `npm test`: makes a fresh machine ready
# (nats-server from Debian, node_modules from the lockfile), then runs the node or the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: nats-server always; chromium and tmux for the console tests, prometheus
# (promtool + server) for the rule and scrape tests of deploy/.
ensure_debs() {
  local need=()
  for pkg in "$@"; do
    case "$pkg" in
      chromium) [ -x /usr/bin/chromium ] || need+=(chromium) ;;
      *) command -v "$pkg" >/dev/null 2>&1 || need+=("$pkg") ;;
    esac
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} (Debian packages)…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  else
    echo "missing: ${need[*]} — sudo apt-get install -y ${need[*]}" >&2
    return 1
  fi
}
ensure_nats() { ensure_debs nats-server; }

ensure_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund >&2 || npm install --no-audit --no-fund >&2
  fi
}

cmd="${1:-up}"; shift || true
case "$cmd" in
  up)
    ensure_modules
    ensure_nats || [ -n "${QT_NATS__URL:-}" ]
    exec node runtime/cli/qt.mjs up "$@"
    ;;
  test)
    ensure_modules
    ensure_debs nats-server chromium tmux prometheus
    npx tsc -p tsconfig.json --noEmit
    npx eslint .
    npx vitest run "$@"
    # The chaos suite (real nodes under kill -9 and crash loops, fuzzing; a few minutes, one node at
    # a time) runs after the unit suite, so the two never compete for the cores. With arguments (a
    # filter for the unit suite) it is left out; `npm run chaos` runs every short form alone.
    if [ $# -eq 0 ]; then exec npx vitest run --config vitest.chaos.config.ts; fi
    ;;
  *)
    echo "usage: deploy/dev.sh up|test [args…]" >&2; exit 2 ;;
esac
