"""Dashboard hit ratio under data entry (decision 0835): a read mix replayed from a warmed cache with a commune save
every 10 reads, this code against another checkout of the project, on each checkout's own demo database.

    .venv/bin/python -m benchmarks.entry_hits --baseline DIR [--rounds 3]

DIR is `git archive <commit> | tar -x -C DIR` with its own `var/mtqg.sqlite3` migrated by that code. Each round runs
this file once per checkout, alternating, in a fresh process whose working directory is the checkout (its `mtqg`
is imported). A round: 29 pages of Điện Biên (the central user's country and province pages; the provincial
officer's province page, 6 program × year variants and 20 communes), each rendered once (warm), then 300 reads
drawn at random (seed 1) with, every 10 reads, a row-level refresh of a random commune that has facts (what a
grid save triggers: `PendingRefresh` + `summaries_refresh`; facts recomputed from unchanged rows, so nothing
changes in the data). The shared file cache, as in production. Counted: reads that read facts (a miss) and the
CPU time of each read. Writes benchmarks/results/<date>-demo-entry-hits.json/.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

READS = 300
SAVE_EVERY = 10


def replay() -> dict[str, Any]:
    """One round in this process (Django set up from the working directory's checkout)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from mtqg.accounts.models import User
    from mtqg.dashboards.models import PendingRefresh, SummaryFact
    from mtqg.dashboards.services import summaries_refresh
    from mtqg.geo.models import UnitVersion

    setup_test_environment()
    rng = random.Random(1)
    province = UnitVersion.objects.filter(level=1, code="11").exclude(structure="pre2025").get()
    communes = UnitVersion.objects.filter(level=3, path__startswith=province.path).exclude(
        structure="pre2025"
    )
    country = UnitVersion.objects.get(level=0)
    saved_paths = sorted(
        set(
            SummaryFact.objects.filter(unit__level=3, unit_path__startswith=province.path).values_list(
                "unit_path", flat=True
            )
        )
    )
    clients = {}
    for name in ("trunguong", "dienbien"):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))
    pages = [("trunguong", f"/dashboards/{country.pk}/"), ("trunguong", f"/dashboards/{province.pk}/")]
    pages += [("dienbien", f"/dashboards/{province.pk}/")]
    pages += [
        ("dienbien", f"/dashboards/{province.pk}/?program={p}&year={y}")
        for p in ("ntm", "poverty", "em")
        for y in (2024, 2025)
    ]
    pages += [("dienbien", f"/dashboards/{c.pk}/") for c in communes.order_by("path")[:20]]
    caches["dashboards"].clear()
    for user, url in pages:
        clients[user].get(url)
    misses, saves, cpu = 0, 0, []
    for i in range(READS):
        if i and i % SAVE_EVERY == 0:
            path = rng.choice(saved_paths)
            PendingRefresh.objects.create(unit_path=path, subtree=False)
            summaries_refresh(path)
            saves += 1
        user, url = rng.choice(pages)
        started = time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = clients[user].get(url)
        cpu.append(time.process_time() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        misses += any(
            "dashboards_summaryfact" in q["sql"] or "dashboards_rollup" in q["sql"]
            for q in queries.captured_queries
        )
    return {"pages": len(pages), "reads": READS, "saves": saves, "misses": misses, "cpu": cpu}


def side_by_side(baseline_tree: str, rounds: int) -> list[dict[str, Any]]:
    from benchmarks.common import Timing, result

    trees = {"ours": Path(__file__).resolve().parents[1], "baseline": Path(baseline_tree).resolve()}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mtqg.settings", "DASHBOARDS_CACHE": "file"}
    env.pop("DATABASE_URL", None)  # each checkout's own demo database
    env["DASHBOARDS_WARM"] = "0"
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for _ in range(rounds):
        for who, tree in trees.items():
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--one"],
                cwd=tree,
                env={**env, "PYTHONPATH": str(tree)},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs[who].append(json.loads(next(ln for ln in out.splitlines() if ln.startswith("ROUND "))[6:]))
    name = f"before decision 0835 ({trees['baseline'].name}: one stamp per province, no staleness bound)"

    def ratio(who: str) -> Timing:
        return Timing([100 * r["misses"] / r["reads"] for r in runs[who]])

    def cpu(who: str, fn: Any) -> Timing:
        return Timing([fn(r["cpu"]) for r in runs[who]])

    rows = [
        result(
            "dashboards.entry_miss_ratio", ratio("ours"), "%", baseline=ratio("baseline"), baseline_name=name
        ),
        result(
            "dashboards.entry_cpu_per_read_p50",
            cpu("ours", statistics.median),
            "s",
            baseline=cpu("baseline", statistics.median),
            baseline_name=name,
            target=0.010,
        ),
        result(
            "dashboards.entry_cpu_per_read_mean",
            cpu("ours", statistics.mean),
            "s",
            baseline=cpu("baseline", statistics.mean),
            baseline_name=name,
        ),
    ]
    for row in rows:
        row["detail"] = {
            "rounds": rounds,
            "alternating": True,
            "reads": READS,
            "save_every": SAVE_EVERY,
            "pages": runs["ours"][0]["pages"],
            "saves": runs["ours"][0]["saves"],
            "baseline_tree": str(trees["baseline"]),
        }
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        sys.path.insert(0, os.getcwd())
        import django

        django.setup()
        print("ROUND " + json.dumps(replay()))
        return
    args = sys.argv[1:]
    options = dict(zip(args[::2], args[1::2], strict=False))
    if "--baseline" not in options:
        raise SystemExit("Cần --baseline DIR (một bản mã trước thay đổi, có var/mtqg.sqlite3 riêng).")
    from benchmarks.common import loadavg, report_head
    from benchmarks.render import RESULTS, header, table

    load_start = loadavg()
    rows = side_by_side(options["--baseline"], int(options.get("--rounds", "3")))
    report = {
        **report_head("demo", load_start),
        "method": (
            "Django test client, demo database (SQLite), shared file cache: 29 warmed dashboard pages of Điện Biên, "
            f"{READS} reads at random with a commune's row-level refresh every {SAVE_EVERY} reads; miss = a read "
            "that reads facts or roll-ups; CPU = process time of each read; this code and the baseline checkout "
            "alternating, each round in a fresh process; median of the rounds with min/max (decision 0835)"
        ),
        "command": " ".join(sys.argv),
        "results": [{**r, "db": "sqlite"} for r in rows],
    }
    stem = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}-demo-entry-hits"
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    (RESULTS / f"{stem}.md").write_text(f"# Benchmarks\n\n{header(report, path)}{table(report)}")
    print(path.read_text())


if __name__ == "__main__":
    main()
