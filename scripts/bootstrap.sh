#!/usr/bin/env bash
# Install what the project needs on a bare Debian machine with Python 3.11:
#   scripts/bootstrap.sh run    # Debian packages for serving (gettext), the Python ones into .venv
#   scripts/bootstrap.sh test   # plus PostgreSQL, Redis, Chromium and Node.js for the tests
# Installs only what is missing; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODE="${1:-run}"
PYTHON="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*" >&2; }

need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "$MODE" = "test" ]; then
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v node >/dev/null 2>&1 || need+=(nodejs)  # runs the socket client's tests
  compgen -G "/usr/lib/*/libzbar.so.0" >/dev/null || need+=(libzbar0)  # reads the stand cards' QR codes
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
"$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1 || need+=(python3-venv)

if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" = "0" ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The virtualenv, re-synced whenever pyproject.toml changes.
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  log "installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,bench]" 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import django, channels, daphne, allauth, huey, pytest, playwright" \
    || { log "Python packages failed to install"; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Translations are compiled as part of setup (the .mo files are build output, not committed).
if compgen -G "frontend/locale/*/LC_MESSAGES/*.po" >/dev/null; then
  .venv/bin/python manage.py compilemessages -v0 --ignore=.venv
fi
