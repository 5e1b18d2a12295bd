#!/usr/bin/env bash
# Developer entry point behind `npm start` and `npm test`: makes a fresh machine ready
# (nats-server from Debian, node_modules from the lockfile), then runs the node or the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_nats() {
  command -v nats-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nats-server (Debian package)…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >&2
  else
    echo "nats-server is missing: sudo apt-get install -y nats-server (or pass --nats URL to an existing server)" >&2
    return 1
  fi
}

ensure_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund >&2
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
    ensure_nats
    npx tsc -p tsconfig.json --noEmit
    npx eslint .
    exec npx vitest run "$@"
    ;;
  *)
    echo "usage: deploy/dev.sh up|test [args…]" >&2; exit 2 ;;
esac
