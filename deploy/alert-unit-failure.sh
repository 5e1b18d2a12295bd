#!/usr/bin/env bash
# Called by quantum-trader-alert@.service when a unit has failed for good. Sends the last log
# lines to Telegram and/or the webhook configured in /etc/quantum-trader/node.env. Secrets are
# read from the environment (or *_FILE) and never echoed.
set -uo pipefail
unit="${1:?unit name}"
host="$(hostname)"
logs="$(journalctl -u "$unit" -n 20 --no-pager -o cat 2>/dev/null | tail -c 3000)"
text="[CRITICAL] ${unit} failed on ${host} (systemd gave up restarting it)
${logs}"

secret() { local v="${!1:-}"; local f="${1}_FILE"; if [ -z "$v" ] && [ -n "${!f:-}" ]; then v="$(cat "${!f}")"; fi; printf '%s' "$v"; }
TOKEN="$(secret TELEGRAM_BOT_TOKEN)"
HOOK="$(secret ALERT_WEBHOOK_URL)"
sent=0
if [ -n "$TOKEN" ] && [ -n "${TELEGRAM_CHAT_ID:-}" ]; then
  curl -fsS -m 10 -o /dev/null --data-urlencode "chat_id=${TELEGRAM_CHAT_ID}" --data-urlencode "text=${text}" \
    "https://api.telegram.org/bot${TOKEN}/sendMessage" && sent=1
fi
if [ -n "$HOOK" ]; then
  body="$(UNIT="$unit" HOST="$host" TEXT="$text" node -e 'process.stdout.write(JSON.stringify({source:"systemd",key:`unit-failed:${process.env.UNIT}`,severity:"critical",title:`${process.env.UNIT} failed on ${process.env.HOST}`,detail:process.env.TEXT,ts:Date.now(),labels:{unit:process.env.UNIT}}))')"
  curl -fsS -m 10 -o /dev/null -H 'content-type: application/json' --data "$body" "$HOOK" && sent=1
fi
[ "$sent" = 1 ] || echo "alert-unit-failure: no TELEGRAM_BOT_TOKEN+TELEGRAM_CHAT_ID or ALERT_WEBHOOK_URL configured; nobody was told about ${unit}" >&2
exit 0
