#!/usr/bin/env bash
# The national profile once (issue #10): a persistent PostgreSQL cluster, migrate, load the units,
# `generate_synthetic --scale "$SCALE" --seed 1`, every step timed with peak memory and load average;
# the cluster is LEFT RUNNING and $READY ({"DATABASE_URL", "finished", "timings"}) says it is ready.
#
#   bash deploy/national-run.sh            # data dir /work/national-pg, port 55499
#   NATIONAL_PG=/srv/pg NATIONAL_PORT=5544 READY=/tmp/ready.json bash deploy/national-run.sh
#   NATIONAL_SCALE=tiny NATIONAL_PG=/tmp/pg-smoke bash deploy/national-run.sh   # smoke run, as root or a user
#
# Stop the cluster afterwards with: su postgres -c "pg_ctl -D $NATIONAL_PG/db stop" (or as its owner).
# Bulk-load settings (fsync off, wal_level minimal): a benchmark database only, never production data.
set -euo pipefail
cd "$(dirname "$0")/.."
# a fresh clone has no virtualenv yet: install the runtime dependencies first, as `make demo` does
[ -f .venv/.installed-runtime ] || make install
DATA="${NATIONAL_PG:-/work/national-pg}"
PORT="${NATIONAL_PORT:-55499}"
READY="${READY:-/tmp/national_ready.json}"
# NATIONAL_SCALE=tiny gives a quick smoke run of the same script (a few seconds of generation)
SCALE="${NATIONAL_SCALE:-national}"
BINDIR="${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
LOG="$DATA/national.log"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$DATA/db" 2>/dev/null || true; su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
mkdir -p "$DATA/var"
chmod 755 "$DATA"
# as root, PostgreSQL runs as `postgres` and writes its log and socket into $DATA: it must own that folder
[ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
if [ ! -f "$DATA/db/PG_VERSION" ]; then
  mkdir -p "$DATA/db"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DATA/db"
  as_pg "'$BINDIR/initdb' -D '$DATA/db' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
  cat >>"$DATA/db/postgresql.conf" <<EOF
# MTQG national synthetic run (deploy/national-run.sh): bulk-load settings, benchmark database only
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
max_parallel_maintenance_workers = 2
max_connections = 200
effective_cache_size = 8GB
random_page_cost = 1.1
EOF
fi
if ! as_pg "'$BINDIR/pg_ctl' -D '$DATA/db' status" >/dev/null 2>&1; then
  as_pg "'$BINDIR/pg_ctl' -D '$DATA/db' -l '$DATA/log' -w start" >/dev/null
fi
URL="postgres://postgres@127.0.0.1:$PORT/${NATIONAL_DB:-mtqg}"
psql -X -q "postgres://postgres@127.0.0.1:$PORT/postgres" -tc "SELECT 1 FROM pg_database WHERE datname = '${NATIONAL_DB:-mtqg}'" \
  | grep -q 1 || psql -X -q "postgres://postgres@127.0.0.1:$PORT/postgres" -c "CREATE DATABASE \"${NATIONAL_DB:-mtqg}\""
export DATABASE_URL="$URL" VAR_DIR="$DATA/var" DJANGO_SETTINGS_MODULE=mtqg.settings SECRET_KEY="${SECRET_KEY:-national-bench}" DEBUG=1
PY=.venv/bin/python
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
: >"$LOG"
echo "start $(stamp) load $(load)" | tee -a "$LOG"
# PostgreSQL memory: the sum of this cluster's resident set sizes (its postmaster and the postmaster's children,
# whoever owns them: `postgres` when run as root, the user otherwise; not other clusters on the machine),
# sampled every 5 s while the generator runs
PGPID=$(head -n 1 "$DATA/db/postmaster.pid")
( while sleep 5; do ps -o rss= -p "$PGPID" --ppid "$PGPID" | awk '{s+=$1} END {print s}'; done ) >"$DATA/pg_rss.samples" &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null || true' EXIT
t0=$(date +%s.%N)
$PY manage.py migrate --noinput -v 0
t1=$(date +%s.%N)
$PY manage.py load_admin_units -v 0 | tee -a "$LOG"
t2=$(date +%s.%N)
load_before="$(load)"
/usr/bin/time -v -o "$DATA/generate.time" $PY manage.py generate_synthetic --scale "$SCALE" --seed 1 2>&1 | tee -a "$LOG"
t3=$(date +%s.%N)
load_after="$(load)"
kill $SAMPLER 2>/dev/null || true
echo "end $(stamp) load $load_after" | tee -a "$LOG"
$PY - "$READY" "$URL" "$t0" "$t1" "$t2" "$t3" "$load_before" "$load_after" "$DATA" <<'EOF'
import json, re, sys, datetime, pathlib
ready, url, t0, t1, t2, t3, before, after, data = sys.argv[1:]
t0, t1, t2, t3 = map(float, (t0, t1, t2, t3))
log = pathlib.Path(data, "national.log").read_text()
payload = json.loads([line for line in log.splitlines() if line.startswith('{"scale"')][-1])
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", pathlib.Path(data, "generate.time").read_text())
samples = [int(x) for x in pathlib.Path(data, "pg_rss.samples").read_text().split() if x.isdigit()]
out = {
    "DATABASE_URL": url,
    "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    "timings": {
        "migrate_s": round(t1 - t0, 1),
        "load_admin_units_s": round(t2 - t1, 1),
        "generate_synthetic_s": round(t3 - t2, 1),
        "generate_steps_s": payload["seconds"],
        "generator_peak_rss_mib": round(int(rss.group(1)) / 1024) if rss else None,
        "postgresql_peak_rss_sum_mib": round(max(samples) / 1024) if samples else None,
        "load_average_before": before,
        "load_average_after": after,
    },
    "counts": payload["counts"],
}
pathlib.Path(ready).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
print(json.dumps(out, ensure_ascii=False))
EOF
