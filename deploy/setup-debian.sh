#!/usr/bin/env bash
# Sets up a headless Debian 12 / Ubuntu 22.04+ VPS for one Quantum Trader node. Idempotent: run it
# again after a `git pull` to update the app, config templates and units; secrets are kept.
#
#   sudo deploy/setup-debian.sh [--no-start] [--upstream-nats 2.10.22] [--dry-run]
#
# What it does: installs Node.js >= 20 and nats-server, creates the `quantum` system user and
# /opt/quantum-trader, /var/lib/quantum-trader, /var/log/quantum-trader, /etc/quantum-trader;
# writes nats.env / node.env with random passwords (mode 0600, root-owned; systemd reads them
# before dropping privileges) unless they exist; installs the units, logrotate, and starts it all.
set -euo pipefail

APP_DIR=/opt/quantum-trader
DATA_DIR=/var/lib/quantum-trader
LOG_DIR=/var/log/quantum-trader
ETC_DIR=/etc/quantum-trader
SVC_USER=quantum
SRC="$(cd "$(dirname "$0")/.." && pwd)"
START=1
DRY=0
UPSTREAM_NATS=""

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --no-start) START=0 ;;
    --dry-run) DRY=1 ;;
    --upstream-nats) UPSTREAM_NATS="${2:?version, e.g. 2.10.22}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

run() { if [ "$DRY" = 1 ]; then echo "+ $*"; else "$@"; fi; }
say() { echo "==> $*"; }
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || { echo "run as root (sudo)" >&2; exit 1; }

install_node() {
  if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; then return; fi
  say "installing Node.js 20 (NodeSource apt repository)"
  run apt-get install -y -qq ca-certificates curl gnupg
  run install -d -m 0755 /etc/apt/keyrings
  if [ "$DRY" = 0 ]; then
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
    echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" >/etc/apt/sources.list.d/nodesource.list
  fi
  run apt-get update -qq
  run apt-get install -y -qq nodejs
}

install_nats() {
  if [ -n "$UPSTREAM_NATS" ]; then
    # Upstream >= 2.10 supports `sync_interval: always` (fsync before ack); Debian 12 ships 2.9.
    if ! /usr/sbin/nats-server --version 2>/dev/null | grep -q "v$UPSTREAM_NATS"; then
      say "installing upstream nats-server $UPSTREAM_NATS"
      local arch; arch="$(dpkg --print-architecture)"
      run curl -fsSL -o /tmp/nats-server.deb "https://github.com/nats-io/nats-server/releases/download/v$UPSTREAM_NATS/nats-server-v$UPSTREAM_NATS-$arch.deb"
      run dpkg -i /tmp/nats-server.deb
      # The upstream package installs to /usr/bin; the units use /usr/sbin.
      [ -x /usr/sbin/nats-server ] || run ln -sf /usr/bin/nats-server /usr/sbin/nats-server
    fi
  elif ! command -v nats-server >/dev/null; then
    say "installing nats-server (Debian package)"
    run apt-get install -y -qq nats-server
  fi
  # The Debian package ships its own unit; ours replaces it.
  if systemctl list-unit-files nats-server.service 2>/dev/null | grep -q "^nats-server.service"; then run systemctl disable --now nats-server.service || true; fi
}

secret() { openssl rand -hex 24; }

write_secrets() {
  run install -d -m 0750 -o root -g "$SVC_USER" "$ETC_DIR"
  if [ ! -s "$ETC_DIR/nats.env" ]; then
    say "generating $ETC_DIR/nats.env and node.env (random passwords, mode 0600)"
    [ "$DRY" = 1 ] && return
    local node_pw; node_pw="$(secret)"
    ( umask 077
      printf 'QT_NATS_NODE_PASSWORD=%s\nQT_NATS_CONSOLE_PASSWORD=%s\nQT_NATS_OPERATOR_PASSWORD=%s\nQT_NATS_SYS_PASSWORD=%s\n' "$node_pw" "$(secret)" "$(secret)" "$(secret)" >"$ETC_DIR/nats.env"
      printf '# Secrets of the node. Fill in the alerting ones; see deploy/secrets.env.example.\nQT_NATS__USER=node\nQT_NATS__PASS=%s\nTELEGRAM_BOT_TOKEN=\nTELEGRAM_CHAT_ID=\nALERT_WEBHOOK_URL=\nALERT_WEBHOOK_SECRET=\nSMTP_PASSWORD=\n' "$node_pw" >"$ETC_DIR/node.env" )
  fi
  run chown root:root "$ETC_DIR/nats.env" "$ETC_DIR/node.env"
  run chmod 0600 "$ETC_DIR/nats.env" "$ETC_DIR/node.env"
}

# Installs a template unless the operator changed the installed copy (then writes <file>.new).
# Pristine copies live under $ETC_DIR/.pristine, not next to the file: logrotate.d and the
# systemd directory would read a sibling copy as config.
install_conf() {
  local src="$1" dst="$2" mode="$3"
  local pristine="$ETC_DIR/.pristine$dst"
  if [ -e "$dst" ] && ! cmp -s "$src" "$dst" && [ -e "$pristine" ] && ! cmp -s "$dst" "$pristine"; then
    say "$dst was edited locally: new version written to $dst.new"
    run install -m "$mode" "$src" "$dst.new"
    return
  fi
  run install -m "$mode" "$src" "$dst"
  run install -D -m 0644 "$src" "$pristine"
}

say "packages"
run apt-get update -qq
run apt-get install -y -qq ca-certificates curl openssl rsync logrotate
install_node
install_nats

say "user and directories"
id "$SVC_USER" >/dev/null 2>&1 || run adduser --system --group --home "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
run install -d -m 0750 -o "$SVC_USER" -g "$SVC_USER" "$DATA_DIR" "$DATA_DIR/nats" "$LOG_DIR"
run install -d -m 0755 "$APP_DIR"

say "application in $APP_DIR"
run rsync -a --delete --exclude node_modules --exclude var --exclude .git --exclude 'deploy/*.env' "$SRC/" "$APP_DIR/"
run npm --prefix "$APP_DIR" ci --omit=dev --no-audit --no-fund

say "configuration in $ETC_DIR"
write_secrets
install_conf "$SRC/deploy/nats-server.conf" "$ETC_DIR/nats-server.conf" 0640
run install -d -m 0750 -o root -g "$SVC_USER" "$ETC_DIR/nats"
install_conf "$SRC/deploy/nats/jetstream-sync-always.conf" "$ETC_DIR/nats/jetstream-sync-always.conf" 0640
[ -e "$ETC_DIR/qt.config.json" ] || { [ "$DRY" = 1 ] && echo "+ write $ETC_DIR/qt.config.json" || printf '{\n  "node": { "dataDir": "%s" },\n  "nats": { "url": "nats://127.0.0.1:4222" }\n}\n' "$DATA_DIR" >"$ETC_DIR/qt.config.json"; }
run chgrp -R "$SVC_USER" "$ETC_DIR"

say "systemd units, logrotate"
for u in quantum-trader-nats.service quantum-trader.service quantum-trader-alert@.service; do install_conf "$SRC/deploy/systemd/$u" "/etc/systemd/system/$u" 0644; done
install_conf "$SRC/deploy/logrotate/quantum-trader" /etc/logrotate.d/quantum-trader 0644
run systemctl daemon-reload
run systemctl enable quantum-trader-nats.service quantum-trader.service

if [ "$START" = 1 ]; then
  say "starting"
  run systemctl restart quantum-trader-nats.service
  run systemctl restart quantum-trader.service
  say "check: sudo -u $SVC_USER env \$(sudo cat $ETC_DIR/node.env | xargs) node $APP_DIR/runtime/cli/qt.mjs doctor --config $ETC_DIR/qt.config.json"
fi
say "done. Metrics and probes: curl -s 127.0.0.1:9464/healthz ; logs: journalctl -u quantum-trader -f"
