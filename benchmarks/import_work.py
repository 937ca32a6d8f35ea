"""The work of one poverty import and of its floor, side by side (decisions 0815, 0816, 0830): wall time, the
client's CPU (all threads and the validating worker processes), the server backend's CPU (/proc/<pid>/stat of
`pg_backend_pid()`, when the server runs on this machine), WAL bytes (`pg_current_wal_lsn()`), and the time per statement kind (`execute_wrapper`). On a
machine shared by many, wall time follows the load; the work does not. On SQLite (in this process) the client's
CPU is all the work, and there is no server or WAL figure.

    bash scripts/with-postgres.sh --durable bash -c \
      '.venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_admin_units -v0 &&
       .venv/bin/python -m benchmarks.import_work --rows 200000 --rounds 3'
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
django.setup()

from django.db import connection  # noqa: E402

from benchmarks import poverty_import as bench  # noqa: E402
from mtqg.geo.models import UnitVersion  # noqa: E402
from mtqg.poverty.standards import load_standards  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _client_cpu() -> float:
    """This process's CPU (all threads) and that of its finished children (the validating workers, 0830)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _wal(cur: Any) -> int:
    cur.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
    return int(cur.fetchone()[0])


def _kind(sql: str) -> str:
    words = sql.split()
    head = " ".join(words[:3]) if words else "?"
    for w in ("staged", "household", "review", "tally", "member", "chunk", "decision", "batch", "job"):
        if w in sql[:200].lower():
            return f"{head[:40]} … {w}"
    return head[:40]


def measure(fn: Callable[[], Any]) -> dict[str, Any]:
    statements: dict[str, float] = defaultdict(float)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements[_kind(sql)] += time.perf_counter() - started

    connection.ensure_connection()
    postgres = connection.vendor == "postgresql"
    pid = wal0 = 0
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = int(cur.fetchone()[0])
            wal0 = _wal(cur)
    server0 = _server_cpu(pid) if postgres else None
    client0, wall0 = _client_cpu(), time.perf_counter()
    with connection.execute_wrapper(wrapper):
        extra = fn()
    wall, client, server1 = time.perf_counter() - wall0, _client_cpu() - client0, _server_cpu(pid)
    wal = 0
    if postgres:
        with connection.cursor() as cur:
            wal = _wal(cur) - wal0
    top = sorted(statements.items(), key=lambda kv: -kv[1])[:6]
    return {
        "wall_s": round(wall, 2),
        "client_cpu_s": round(client, 2),
        "server_cpu_s": round(server1 - server0, 2) if server0 is not None and server1 is not None else None,
        "wal_mb": round(wal / 1e6, 1) if postgres else None,
        "statements_s": {k: round(v, 2) for k, v in top},
        **(extra or {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_standards()
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", "pk")
    )
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    rounds: list[dict[str, Any]] = []
    try:
        bench._write_csv(path, args.rows, [c for c, _pk in communes])
        bench._cleanup()
        for _ in range(args.rounds):

            def ours() -> dict[str, Any]:
                _total, stage, commit, _refreshed = bench._ours(path, province, args.rows)
                return {"stage_s": round(stage, 2), "commit_s": round(commit, 2)}

            one = {"ours": measure(ours)}
            bench._cleanup()
            one["floor"] = measure(lambda: bench._floor_rate(path, args.rows, dict(communes)) and None)
            bench._cleanup()
            one["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            rounds.append(one)
            print(json.dumps(one), flush=True)
    finally:
        bench._cleanup()
        os.unlink(path)
    summary = {}
    for key in ("wall_s", "client_cpu_s", "server_cpu_s", "wal_mb"):
        o = [r["ours"][key] for r in rounds if r["ours"][key] is not None]
        f = [r["floor"][key] for r in rounds if r["floor"][key] is not None]
        if o and f:
            summary[key] = {"ours": statistics.median(o), "floor": statistics.median(f)}
    work = [
        (r["floor"]["client_cpu_s"] + (r["floor"]["server_cpu_s"] or 0))
        / (r["ours"]["client_cpu_s"] + (r["ours"]["server_cpu_s"] or 0))
        for r in rounds
    ]
    wall = [r["floor"]["wall_s"] / r["ours"]["wall_s"] for r in rounds]
    summary["floor_work_over_ours"] = [round(x, 3) for x in work]
    summary["floor_wall_over_ours"] = [round(x, 3) for x in wall]
    print(json.dumps({"rows": args.rows, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
