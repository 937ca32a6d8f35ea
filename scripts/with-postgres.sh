#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 (private port), run the given command with
# DATABASE_URL pointing at it, and stop the cluster even when the command fails.
# Tests: fsync, synchronous_commit and full_page_writes off (fast, nothing to keep). `--durable` as the first
# argument keeps PostgreSQL's production defaults (all three on): `make bench` uses it, so that write benchmarks pay
# what a real server pays (decision 0808).
set -euo pipefail
DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${1:-}" = "--durable" ]; then
  DURABILITY="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  shift
fi
cd "$(dirname "$0")/.."
BINDIR="${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ ! -x "$BINDIR/initdb" ]; then
  echo "Không tìm thấy máy chủ PostgreSQL (initdb). Cài gói postgresql." >&2
  exit 1
fi
PORT="${PG_PORT:-$(( 55000 + RANDOM % 5000 ))}"
DATA="$(mktemp -d /tmp/mtqg-pg.XXXXXX)"
chmod 755 "$DATA"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$DATA"; su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
cleanup() {
  # the server's CPU (postmaster, its finished backends and the ones still running), which the caller's
  # /usr/bin/time does not see (decision 0840)
  local pm ticks=0 st
  pm="$(head -n 1 "$DATA/db/postmaster.pid" 2>/dev/null || true)"
  if [ -n "$pm" ] && [ -r "/proc/$pm/stat" ]; then
    for f in /proc/[0-9]*/stat; do
      read -r -a st < "$f" 2>/dev/null || continue
      if [ "${st[0]}" = "$pm" ]; then ticks=$(( ticks + st[13] + st[14] + st[15] + st[16] ))
      elif [ "${st[3]}" = "$pm" ]; then ticks=$(( ticks + st[13] + st[14] )); fi
    done
  fi
  as_pg "'$BINDIR/pg_ctl' -D '$DATA/db' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$DATA"
  # last: when the caller's output is gone (killed), the echo may kill this shell, and the cluster is stopped by now
  if [ -n "$pm" ]; then echo "Máy chủ PostgreSQL đã dùng CPU: $(( ticks / $(getconf CLK_TCK) )) s" >&2; fi
}
trap cleanup EXIT INT TERM
as_pg "'$BINDIR/initdb' -D '$DATA/db' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "'$BINDIR/pg_ctl' -D '$DATA/db' -l '$DATA/log' -o \"-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$DATA' $DURABILITY\" -w start" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL tạm thời: 127.0.0.1:$PORT"
"$@"
