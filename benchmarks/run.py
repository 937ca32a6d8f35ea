"""`make bench`: the benchmarks of every issue on a fresh SQLite database and (when DATABASE_URL points at PostgreSQL)
a fresh PostgreSQL database, at a scale (tiny | province | national).

Per database: one child process migrates, loads the administrative units and generates the synthetic country
(`generate_synthetic --scale S --seed 1`, timed); then every benchmark module runs in its own child process on that
database, so the peak memory (getrusage ru_maxrss) reported for a module is that module's alone; the load test
(benchmarks.load, gunicorn on 127.0.0.1) runs last. A module that fails is reported as an error row and the run goes
on. Results: benchmarks/results/<date>-<scale>[-<label>].json and .md; docs/benchmarks.md's figures are rendered
from the newest results files by benchmarks/render.py (decision 0807). Each database's settings (fsync,
synchronous_commit, … as the server reports them) and the machine's load average around every step are recorded. Ratios: against the baseline measured in the same run (django-import-export, one grouped ORM
query), SQLite ÷ PostgreSQL for the same measurement, and the previous result file of the same scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from importlib import import_module
from pathlib import Path
from typing import Any

from benchmarks.common import loadavg, report_head

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# Known modules first (in this order); any other benchmarks/<name>.py with run()/results() is picked up after.
MODULES = [
    "benchmarks.geo_units",
    "benchmarks.scale",
    "benchmarks.ntm_recompute",
    "benchmarks.ntm_country",
    "benchmarks.poverty_import",
    "benchmarks.finance_disbursement",
    "benchmarks.ocop_summary",
    "benchmarks.workflow_completeness",
    "benchmarks.briefing",
    "benchmarks.dashboards",
    "benchmarks.planning",
]
NOT_MODULES = {"__init__", "run", "common", "load", "load_settings", "render", "demo_timing"}
MEMORY_TARGET_MIB = 2048.0


def _has_entry_point(path: Path) -> bool:
    """A benchmark module defines run() or results() at module level; standalone tools (import_work's profile,
    test_timing's `make test` timing) define neither and are not steps of `make bench` (decision 0845)."""
    return re.search(r"^def (run|results)\(", path.read_text(encoding="utf-8"), re.MULTILINE) is not None


def modules() -> list[str]:
    present = {p.stem for p in (ROOT / "benchmarks").glob("*.py") if _has_entry_point(p)} - NOT_MODULES
    known = [m for m in MODULES if m.split(".")[1] in present]
    extra = sorted(f"benchmarks.{name}" for name in present if f"benchmarks.{name}" not in MODULES)
    return known + extra


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _as_rows(module: str, out: Any) -> list[dict[str, Any]]:
    """Modules return result dicts (benchmarks.common.result) or, older ones, a dict of seconds."""
    from benchmarks.common import result

    if isinstance(out, dict):
        short = module.split(".")[-1]
        return [result(f"{short}.{k}", float(v), "s") for k, v in out.items() if isinstance(v, int | float)]
    return list(out)


def _call(module_name: str, scale: str) -> list[dict[str, Any]]:
    module = import_module(module_name)
    fn = getattr(module, "results", None) or module.run
    params = list(inspect.signature(fn).parameters)
    out = fn(scale) if params and params[0] == "scale" else fn()
    return _as_rows(module_name, out)


def _prepare(scale: str) -> list[dict[str, Any]]:
    from django.core.management import call_command

    from benchmarks.common import result
    from mtqg.synthetic.generator import generate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_admin_units", verbosity=0)
    rows = [result("geo.load_admin_units_fresh", time.perf_counter() - started, "s", target=30.0)]
    started = time.perf_counter()
    stats = generate(scale, 1)
    took = time.perf_counter() - started
    counts = dict(stats.counts)
    total_rows = sum(counts.values())
    target = {"national": 1800.0}.get(scale)
    rows.append(result(f"synthetic.generate_{scale}", took, "s", target=target))
    rows.append(result("synthetic.rows_per_s", total_rows / took, "rows/s", lower_is_better=False))
    for row in rows[1:]:
        row["detail"] = {"counts": counts, "seconds": stats.seconds}
    # building the database is done once per run: a setup figure, not a median (decision 0845)
    for row in rows:
        row["setup"] = True
    return rows


def _db_settings() -> list[dict[str, Any]]:
    """What the database was told, read from the server itself (decision 0808): a "settings" row per database."""
    from django.conf import settings
    from django.db import connection

    # the Django side too: with DEBUG on, every query is also recorded (a small cost per query, ours and baselines
    # alike); the load test's gunicorn runs production settings (DEBUG off) whatever this says (decision 0845)
    detail: dict[str, Any] = {"vendor": connection.vendor, "django_debug": settings.DEBUG}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level",
                         "shared_buffers", "work_mem", "max_wal_size", "checkpoint_timeout"):  # fmt: skip
                cur.execute(f"SHOW {name}")
                detail[name] = cur.fetchone()[0]
        else:
            import sqlite3

            detail["sqlite_version"] = sqlite3.sqlite_version
            for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size"):
                cur.execute(f"PRAGMA {name}")
                detail[name] = cur.fetchone()[0]
    return [{"name": "database.settings", "value": None, "unit": "settings", "detail": detail}]


def _child_main(args: argparse.Namespace) -> None:
    import django

    django.setup()
    try:
        if args.module == "settings":
            rows = _db_settings()
        elif args.module == "prepare":
            rows = _prepare(args.scale)
        elif args.module == "benchmarks.load":
            from benchmarks.load import run as load_run

            rows = load_run(
                args.scale,
                seconds=float(os.environ.get("LOAD_SECONDS", "60")),
                users=int(os.environ.get("LOAD_USERS", "50")),
                entry_users=int(os.environ.get("LOAD_ENTRY_USERS", "10")),
                scenario="mixed",
                warm=os.environ.get("LOAD_WARM") == "1",  # start from the warming job's pages (0820, 0821)
                warmup=float(os.environ.get("LOAD_WARMUP", "0")),  # steady state: seconds before the window
            )
        else:
            rows = _call(args.module, args.scale)
        error = None
    except Exception as exc:  # a failing module is reported, not fatal
        traceback.print_exc()
        rows, error = [], f"{type(exc).__name__}: {exc}"[:500]
    from benchmarks.common import result

    if args.module == "settings":
        Path(args.child).write_text(json.dumps(rows, default=str))
        return
    name = "synthetic" if args.module == "prepare" else args.module.split(".")[-1]
    memory = result(f"{name}.peak_memory", _peak_mib(), "MiB", target=MEMORY_TARGET_MIB)
    if error:
        memory["error"] = error
    Path(args.child).write_text(json.dumps([*rows, memory], default=str))


def _fresh_postgres(url: str) -> str:
    import psycopg

    name = f"mtqg_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def _database(
    db: str, scale: str, only: list[str] | None, existing: str | None = None, load: bool = True
) -> list[dict[str, Any]]:
    """Run the steps on a fresh database, or on `existing` (a prepared one: no migrate/generate step)."""
    tmp = tempfile.mkdtemp(prefix="mtqg-bench-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mtqg.settings", "DEBUG": "1", "VAR_DIR": tmp}
    if existing:
        env["DATABASE_URL"] = existing
    else:
        env["DATABASE_URL"] = (
            _fresh_postgres(os.environ["DATABASE_URL"])
            if db == "postgresql"
            else f"sqlite:///{tmp}/bench.sqlite3"
        )
    rows: list[dict[str, Any]] = []
    steps = [
        *([] if existing else ["prepare"]),
        "settings",
        *(modules() if only is None else only),
        *(["benchmarks.load"] if load else []),
    ]
    for step in steps:
        out = Path(tmp) / "out.json"
        out.unlink(missing_ok=True)
        sys.stderr.write(f"== {db}: {step}\n")
        started = time.perf_counter()
        load_before = loadavg()
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.run", "--child", str(out), "--module", step, "--scale", scale],
            cwd=ROOT,
            env=env,
            check=False,
        )
        if out.exists():
            step_rows = json.loads(out.read_text())
            for row in step_rows:
                if row.get("unit") != "settings":
                    row["load_average"] = [load_before, loadavg()]
            rows.extend(step_rows)
        else:
            rows.append({"name": f"{step}.error", "value": 0, "unit": "", "error": f"exit {proc.returncode}"})
        sys.stderr.write(f"   {time.perf_counter() - started:.1f} s\n")
    shutil.rmtree(tmp, ignore_errors=True)  # the SQLite database, the cache and the outputs of this run
    return rows


METHOD = (
    "every timed figure is the median of ≥ 5 runs after a warm-up, with min/max; baselines are measured side by "
    "side in the same process (alternating with ours where both are fast), never extrapolated; PostgreSQL write "
    "figures on clean tables (VACUUM ANALYZE between measurements); the load test is the mixed workload "
    "(readers + data-entry users whose writes succeed), judged on client and server time (decision 0807)."
)


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        text = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
        return text.replace(",", "\u202f")
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="province", choices=["tiny", "province", "national"])
    parser.add_argument("--child")
    parser.add_argument("--module")
    parser.add_argument(
        "--only",
        nargs="*",
        help="run only these modules (dotted names); `--only` alone: none (the load test only)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--existing",
        metavar="DATABASE_URL",
        help="run the modules on this already generated PostgreSQL database (no fresh database, no generation)",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    parser.add_argument(
        "--label",
        help="results file <date>-<scale>-<label>.json (a partial or extra run; rendered beside the main one)",
    )
    parser.add_argument("--note", help="a sentence stored in the results file and shown with its table")
    parser.add_argument(
        "--timed",
        action="store_true",
        help="name the file <date>T<HHMM>-<scale>[-<label>]: an earlier file of the same day and label stays, and "
        "render.py takes the timed one as the newest",
    )
    args = parser.parse_args()
    if args.child:
        _child_main(args)
        return
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres") or bool(args.existing)
    results: list[dict[str, Any]] = []
    load_start = loadavg()
    if (
        args.scale == "national" or args.existing
    ):  # ≈ 27 M households: generated server-side on PostgreSQL only
        databases = ["postgresql"] if postgres else []
        results.append(
            {"name": f"synthetic.generate_{args.scale}", "db": "sqlite", "value": None, "unit": "",
             "skipped": "national scale is PostgreSQL-only (households generated in the server, decision 0804)"
             if args.scale == "national" else "run on an existing PostgreSQL database (--existing)"}
        )  # fmt: skip
    else:
        databases = ["sqlite"] + (["postgresql"] if postgres else [])
    by_db: dict[str, dict[str, dict[str, Any]]] = {}
    for db in databases:
        rows = _database(db, args.scale, args.only, args.existing, load=not args.no_load)
        by_db[db] = {r["name"]: r for r in rows}
        results.extend({**r, "db": db} for r in rows)
    if "postgresql" in by_db and "sqlite" in by_db:  # the same measurement on the other database
        for r in results:
            other = by_db["sqlite"].get(r["name"])
            if r["db"] == "postgresql" and other and r.get("value") and other.get("value"):
                r["sqlite_over_postgresql"] = round(other["value"] / r["value"], 2)
    previous = sorted(RESULTS.glob(f"*-{args.scale}.json"))  # unlabelled runs of the same scale
    if previous:
        old = {(r["name"], r.get("db")): r for r in json.loads(previous[-1].read_text())["results"]}
        for r in results:
            before = old.get((r["name"], r["db"]))
            if before and r.get("value") and before.get("value"):
                ratio = before["value"] / r["value"]
                if "per_s" in r["name"] or r.get("unit", "").endswith("/s"):
                    ratio = 1 / ratio  # throughput: higher is better
                r["vs_previous"] = round(ratio, 2)
    report = {
        **report_head(args.scale, load_start),
        "method": METHOD,
        **({"note": args.note} if args.note else {}),
        "command": " ".join(sys.argv),
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M" if args.timed else "%Y-%m-%d")
    stem = f"{stamp}-{args.scale}" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    )
    from benchmarks.render import header
    from benchmarks.render import table as render_table

    table = header(report, RESULTS / f"{stem}.json") + render_table(report)
    (RESULTS / f"{stem}.md").write_text(f"# Benchmarks\n\n{table}")
    if not args.no_doc:
        from benchmarks.render import update_doc

        update_doc()
    sys.stdout.write(table)
    errors = [r for r in results if r.get("error")]
    if errors:
        failed = ", ".join(f"{r['name'].rsplit('.', 1)[0]} ({r['db']})" for r in errors)
        sys.stderr.write(f"{len(errors)} benchmark module run(s) failed: {failed}\n")


if __name__ == "__main__":
    main()
