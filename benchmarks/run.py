"""`make bench`: run every benchmark module on a fresh SQLite database and (when DATABASE_URL points at PostgreSQL)
on a fresh PostgreSQL database, then write benchmarks/results/<date>.json and a markdown table with ratios against
baselines measured in the same run, the other database, and the previous result file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# Explicit list; each module has run(scale) -> list of result dicts.
MODULES = [
    "benchmarks.geo_units",
    "benchmarks.ntm_recompute",
    "benchmarks.poverty_import",
    "benchmarks.finance_disbursement",
]


def _one_database(scale: str) -> list[dict[str, Any]]:
    import django

    django.setup()
    import time

    from django.core.management import call_command

    from benchmarks.common import result

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_admin_units", verbosity=0)
    rows: list[dict[str, Any]] = [
        result("geo.load_admin_units_fresh", time.perf_counter() - started, "s", target=30.0)
    ]
    for name in MODULES:
        module = import_module(name)
        rows.extend(module.results(scale) if hasattr(module, "results") else module.run(scale))
    return rows


def _fresh_postgres(url: str) -> str:
    import psycopg

    name = f"mtqg_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def _child(db: str, scale: str) -> list[dict[str, Any]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mtqg.settings", "DEBUG": "1"}
    tmp = tempfile.mkdtemp(prefix="mtqg-bench-")
    env["VAR_DIR"] = tmp
    env["DATABASE_URL"] = (
        _fresh_postgres(os.environ["DATABASE_URL"])
        if db == "postgresql"
        else f"sqlite:///{tmp}/bench.sqlite3"
    )
    out = Path(tmp) / "out.json"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", str(out), "--scale", scale],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Benchmarks {report['date']} (scale: {report['scale']})",
        "",
        "| benchmark | db | value | unit | baseline | ratio | target | met | vs previous |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['name']} | {r['db']} | {r['value']} | {r['unit']} | {r.get('baseline_name') or ''} {r.get('baseline') or ''} "
            f"| {r.get('ratio') or ''} | {r.get('target') or ''} | {'' if r.get('target_met') is None else ('yes' if r['target_met'] else 'NO')} "
            f"| {r.get('vs_previous') or ''} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="province", choices=["tiny", "province", "national"])
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        Path(args.child).write_text(json.dumps(_one_database(args.scale)))
        return
    databases = ["sqlite"] + (
        ["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else []
    )
    results: list[dict[str, Any]] = []
    by_db: dict[str, dict[str, dict[str, Any]]] = {}
    for db in databases:
        rows = _child(db, args.scale)
        by_db[db] = {r["name"]: r for r in rows}
        results.extend({**r, "db": db} for r in rows)
    if "postgresql" in by_db:  # the same measurement on the other database
        for r in results:
            if r["db"] == "postgresql" and r["name"] in by_db["sqlite"] and r["value"]:
                r["sqlite_over_postgresql"] = round(by_db["sqlite"][r["name"]]["value"] / r["value"], 2)
    previous = sorted(RESULTS.glob("*.json"))
    if previous:
        old = {(r["name"], r["db"]): r for r in json.loads(previous[-1].read_text())["results"]}
        for r in results:
            before = old.get((r["name"], r["db"]))
            if before and r["value"]:
                r["vs_previous"] = round(before["value"] / r["value"], 2)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stamp}.md").write_text(_markdown(report))
    sys.stdout.write(_markdown(report))


if __name__ == "__main__":
    main()
