#!/usr/bin/env bash
# Nightly backup of every QT_* stream, KV bucket and the model store (`qt backup`), as a
# timestamped tar.gz under /var/backups/quantum-trader, keeping the newest $KEEP.
#
#   sudo /opt/quantum-trader/deploy/backup.sh                # e.g. from cron: 17 3 * * *
#   sudo /opt/quantum-trader/deploy/backup.sh --restore /var/backups/quantum-trader/qt-20250101T031700Z.tar.gz
#
# Restore: stop the node first (`systemctl stop quantum-trader`); the target streams must be absent
# or empty (a fresh NATS store: stop quantum-trader-nats, move /var/lib/quantum-trader/nats away,
# start it again). QT_* sequence numbers, msg ids and headers are kept; store times are new.
# Copy the archives off the machine (rsync/restic): a backup on the same disk is not one.
set -euo pipefail
APP_DIR="${APP_DIR:-/opt/quantum-trader}"
DEST="${DEST:-/var/backups/quantum-trader}"
KEEP="${KEEP:-14}"
ENV_FILE="${ENV_FILE:-/etc/quantum-trader/node.env}"
CONFIG="${QT_CONFIG:-/etc/quantum-trader/qt.config.json}"

# The node's NATS credentials (QT_NATS__USER / QT_NATS__PASS); never echoed.
if [ -r "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
export QT_CONFIG="$CONFIG"
qt() { (cd "$APP_DIR" && node runtime/cli/qt.mjs "$@"); }

if [ "${1:-}" = "--restore" ]; then
  archive="${2:?usage: backup.sh --restore <archive.tar.gz>}"
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
  tar -xzf "$archive" -C "$work"
  qt restore "$work/$(ls "$work" | head -1)"
  exit 0
fi

umask 077
mkdir -p "$DEST"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
qt backup "$work/qt-$stamp"
tar -czf "$DEST/qt-$stamp.tar.gz" -C "$work" "qt-$stamp"
echo "backup: $DEST/qt-$stamp.tar.gz"
# Keep the newest $KEEP archives.
ls -1t "$DEST"/qt-*.tar.gz 2>/dev/null | tail -n +"$((KEEP + 1))" | xargs -r rm -f
