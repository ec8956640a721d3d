#!/usr/bin/env bash
# Start or stop the real services the tests use, on free 127.0.0.1 ports, with data under a
# temporary folder: PostgreSQL, Redis, localstripe and moto_server (S3).
#
#   scripts/services.sh start   # writes .services/env (source it, or let the tests read it)
#   scripts/services.sh stop
#   scripts/services.sh status
#
# No TTY, no prompts. PostgreSQL's initdb refuses to run as root, so as root it runs as `postgres`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.services"
ENV_FILE="$STATE/env"
VENV_BIN="${VENV_BIN:-$ROOT/.venv/bin}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

log() { printf '[services] %s\n' "$*" >&2; }

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

wait_for() {  # wait_for DESCRIPTION SECONDS COMMAND...
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "$what did not come up in ${seconds}s"
      return 1
    fi
    sleep 0.2
  done
}

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local dir="$1" port
  port="${SERVICES_POSTGRES_PORT:-$(free_port)}"
  mkdir -p "$dir/sock"
  [ "$(id -u)" = "0" ] && chown -R postgres:postgres "$dir"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/umkm_expo"
  echo "export TEST_POSTGRES_DATA=$dir/data"
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres umkm_expo
}

start_redis() {
  local dir="$1" port
  port="$(free_port)"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_for "Redis" 10 redis-cli -p "$port" ping
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$port/0"
  echo "export TEST_REDIS_PORT=$port"
}

start_localstripe() {
  local dir="$1" port
  port="$(free_port)"
  mkdir -p "$dir"
  nohup "$VENV_BIN/localstripe" --port "$port" --from-scratch >"$dir/localstripe.log" 2>&1 &
  echo $! >"$dir/localstripe.pid"
  wait_for "localstripe" 30 curl -sf -u sk_test_x: "http://127.0.0.1:$port/v1/customers"
  echo "export TEST_STRIPE_API_BASE=http://127.0.0.1:$port"
}

start_moto() {
  local dir="$1" port
  port="$(free_port)"
  mkdir -p "$dir"
  nohup "$VENV_BIN/moto_server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
  echo $! >"$dir/moto.pid"
  wait_for "moto_server" 30 curl -sf "http://127.0.0.1:$port/moto-api/"
  echo "export TEST_S3_ENDPOINT_URL=http://127.0.0.1:$port"
}

alive() {
  # The recorded services still answer (after a reboot the files remain but the servers are gone).
  (
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    redis-cli -p "$TEST_REDIS_PORT" ping >/dev/null 2>&1 &&
      "$PG_BIN/pg_isready" -q -d "$TEST_POSTGRES_URL" >/dev/null 2>&1
  )
}

cmd_start() {
  if [ -f "$ENV_FILE" ]; then
    if alive; then
      log "already started (see $ENV_FILE); run '$0 stop' first"
      cat "$ENV_FILE"
      return 0
    fi
    log "recorded services no longer answer; starting afresh"
    cmd_stop
  fi
  local tmp
  tmp="$(mktemp -d /tmp/umkm-services.XXXXXX)"
  chmod 755 "$tmp"
  mkdir -p "$STATE"
  echo "$tmp" >"$STATE/dir"
  {
    echo "export TEST_SERVICES_DIR=$tmp"
    start_postgres "$tmp/postgres"
    start_redis "$tmp/redis"
    start_localstripe "$tmp/localstripe"
    start_moto "$tmp/moto"
  } >"$ENV_FILE.partial"
  mv "$ENV_FILE.partial" "$ENV_FILE"
  log "started; addresses in $ENV_FILE"
  cat "$ENV_FILE"
}

kill_pidfile() {
  local file="$1"
  [ -f "$file" ] || return 0
  local pid
  pid="$(cat "$file")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd_stop() {
  [ -f "$STATE/dir" ] || { log "not running"; rm -f "$ENV_FILE" "$ENV_FILE.partial"; return 0; }
  local tmp
  tmp="$(cat "$STATE/dir")"
  if [ -f "$ENV_FILE" ]; then
    # shellcheck disable=SC1090
    . "$ENV_FILE"
  fi
  if [ -n "${TEST_REDIS_PORT:-}" ]; then redis-cli -p "$TEST_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  if [ -d "$tmp/postgres/data" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$tmp/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  kill_pidfile "$tmp/localstripe/localstripe.pid"
  kill_pidfile "$tmp/moto/moto.pid"
  rm -rf "$tmp" "$STATE"
  log "stopped"
}

cmd_status() {
  if [ -f "$ENV_FILE" ]; then cat "$ENV_FILE"; else log "not running"; return 1; fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
