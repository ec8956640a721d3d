#!/usr/bin/env bash
# Serve the site with Daphne (HTTP and websockets) and run the background worker beside it.
# Ctrl-C stops both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"  # e-mail links name the port served on

.venv/bin/python manage.py run_huey --quiet &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Serving UMKM Virtual Expo on http://$HOST:$PORT  (Ctrl-C to stop)"
# No --proxy-headers: Daphne would take the left-most X-Forwarded-For address, which the client
# writes itself. Behind a proxy set TRUSTED_PROXY_COUNT instead (docs/deployment.md).
.venv/bin/daphne -b "$HOST" -p "$PORT" expo.asgi:application
