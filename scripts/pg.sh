#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: in a temp dir, on a free loopback port,
# owned by an unprivileged user, fsync off, trust auth; never a system service.
#
#   scripts/pg.sh run CMD...      start one, run CMD with TEST_POSTGRES_URL set, then
#                                 stop it and remove it whatever CMD did
#   scripts/pg.sh start DIR       start one in DIR (created), print its URL
#   scripts/pg.sh stop DIR        stop it (fast), keep DIR
#   scripts/pg.sh resume DIR      start the stopped cluster in DIR again, same port
#   scripts/pg.sh remove DIR      stop it and remove DIR
set -euo pipefail
shopt -s inherit_errexit

BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[[ -x $BIN/initdb ]] || { echo "pg.sh: PostgreSQL is not installed (Debian: postgresql)" >&2; exit 1; }

# initdb and postgres refuse to run as root: run them as the `postgres` user then.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() { # dir
  local dir=$1 port
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir" && chmod 700 "$dir"
  as_owner "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
  port=$(free_port)
  echo "$port" > "$dir/port"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/port"
  resume "$dir"
}

resume() { # dir
  local dir=$1 port
  port=$(cat "$dir/port")
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port"
}

stop() { # dir
  as_owner "$BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

remove() { # dir
  stop "$1"
  rm -rf "$1"
}

case "${1:-}" in
  run)
    shift
    dir=$(mktemp -d)
    chmod 711 "$dir" # the cluster's owner must reach its folder inside
    trap 'remove "$dir/pg"; rm -rf "$dir"' EXIT
    TEST_POSTGRES_URL=$(start "$dir/pg")
    export TEST_POSTGRES_URL
    "$@"
    ;;
  start) start "$2" ;;
  resume) resume "$2" ;;
  stop) stop "$2" ;;
  remove) remove "$2" ;;
  *) echo "usage: $0 run CMD... | start DIR | resume DIR | stop DIR | remove DIR" >&2; exit 2 ;;
esac
