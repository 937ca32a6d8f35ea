"""Dashboards benchmark (issue #9): page server time (single client, cold and cached), the incremental refresh after
approving one commune's report (target < 1 s) and the full rebuild of the country's facts (target < 5 min).

    DATABASE_URL=… .venv/bin/python benchmarks/dashboards.py [tiny|province|national]

Runs on any migrated database with facts (the demo database var/mtqg.sqlite3 by default; the synthetic country;
the national database). It never changes the database's data: the approval + refresh and the full rebuild run
inside a transaction that is rolled back at the end (what is measured is the same work, minus the final commit).
It logs in as the load test's central user (benchmarks.load.ensure_users creates it once).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings

try:
    from benchmarks.common import Timing, loadavg, report_head, result
except ModuleNotFoundError:  # run as a script
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import Timing, loadavg, report_head, result


class Rollback(Exception):
    """Raised at the end of a measured transaction so that nothing it wrote is kept."""


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _page_times(client: Any, url: str, n: int, *, cold: bool) -> list[float]:
    from django.core.cache import caches

    client.get(url)  # warm-up (imports, templates)
    samples = []
    for _ in range(n):
        if cold:
            for alias in ("default", "dashboards"):
                try:
                    caches[alias].clear()
                except Exception:  # noqa: S112 (no such alias)
                    continue
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def pages(n: int) -> list[dict[str, Any]]:
    from django.test import Client

    from benchmarks.common import ensure_test_environment
    from benchmarks.load import ensure_users
    from mtqg.accounts.models import User
    from mtqg.geo.models import UnitVersion

    ensure_test_environment()  # once per process: pages() and page_cpu() both need it
    ensure_users()
    client = Client()
    client.force_login(User.objects.get(username="load_central"))
    country = UnitVersion.objects.get(level=0)
    urls = {
        "national": f"/dashboards/{country.pk}/",
        "national_current": f"/dashboards/{country.pk}/?mode=current",
    }
    for code in ("11", "04"):
        old = UnitVersion.objects.filter(structure="pre2025", level=1, code=code).first()
        new = UnitVersion.objects.filter(structure="2025", level=1, code=code).first()
        if old is not None:
            urls[f"province_{code}_2024"] = f"/dashboards/{old.pk}/?year=2024"
        if new is not None:
            urls[f"province_{code}"] = f"/dashboards/{new.pk}/"
            urls[f"province_{code}_current"] = f"/dashboards/{new.pk}/?mode=current"
            urls[f"province_{code}_poverty_2023"] = f"/dashboards/{new.pk}/?program=poverty&year=2023"
    out = []
    for name, url in urls.items():
        for cold in (True, False):
            samples = _page_times(client, url, n, cold=cold)
            label = f"dashboards.{name}_page_{'cold' if cold else 'cached'}"
            out.append(result(f"{label}_p95", _p95(samples), "s", target=0.2))
            out[-1]["n"] = len(samples)  # a percentile of these samples (the _median row keeps them)
            out.append(result(f"{label}_median", Timing(samples), "s"))
    anonymous = Client()
    samples = _page_times(anonymous, "/cong-khai/", max(3, n // 2), cold=True)
    out.append(result("portal.index_cold_p95", _p95(samples), "s", target=0.5))
    return out


def _cpu_p50(client: Any, urls: list[str]) -> float:
    """The median CPU time (this thread's, robust on a shared machine) of one request to each url."""
    samples = []
    for url in urls:
        started = time.thread_time()
        response = client.get(url)
        samples.append(time.thread_time() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def page_cpu(rounds: int = 5, code: str = "11", n: int = 40) -> list[dict[str, Any]]:
    """CPU per dashboard request (issue #24 target 9a, p50 <= 10 ms) for the load test's mix of one provincial
    user's pages (benchmarks.load.dashboard_steps, seeded), after a refresh of the province: baseline = nothing
    warmed (every page a miss, as before decision 0820); warmed = after `pages_warm` of the province (what the
    refresh's background job does). Median over `rounds` rounds of each round's p50, with min/max."""
    import random

    from django.test import Client

    from benchmarks.common import ensure_test_environment
    from benchmarks.load import dashboard_steps, ensure_users
    from mtqg.accounts.models import User
    from mtqg.dashboards.selectors import panel_cache
    from mtqg.dashboards.warming import pages_warm
    from mtqg.geo.models import UnitVersion

    ensure_test_environment()  # once per process: pages() and page_cpu() both need it
    personas = ensure_users()
    persona = next((p for p in personas.values() if p.role == "province" and p.unit_code == code), None)
    if persona is None:
        return []
    province = UnitVersion.objects.get(pk=persona.unit_id)
    rng = random.Random(24)
    urls: list[str] = []
    while len(urls) < n:
        for route, path in dashboard_steps(persona, rng):
            if route == "dash.index":
                urls.append(f"/dashboards/{persona.unit_id}/")
            elif route.startswith("dash.") and route != "dash.xlsx":
                urls.append(path)
    client = Client()
    client.force_login(User.objects.get(username=persona.username))
    client.get(urls[0])  # imports, templates
    cold, warm, warmed_pages = [], [], 0
    for _ in range(rounds):
        panel_cache().clear()
        samples = []
        for url in urls:  # every request after a refresh misses: the cache is cleared before each
            panel_cache().clear()
            samples.append(_cpu_p50(client, [url]))
        cold.append(statistics.median(samples))
        panel_cache().clear()
        warmed_pages = pages_warm(province.path)["pages"]
        warm.append(_cpu_p50(client, urls))
    row = result(
        "dashboards.cpu_per_request_p50",
        Timing(warm),
        "s",
        baseline=Timing(cold),
        baseline_name="not warmed (every request after a refresh misses)",
        target=0.010,
    )
    row["detail"] = {
        "province": code,
        "requests_per_round": len(urls),
        "distinct_pages": len(set(urls)),
        "warmed_pages": warmed_pages,
    }
    return [row]


def approve_and_refresh(repeat: int = 5) -> list[dict[str, Any]]:
    """Approve one submitted commune report (workflow service) and run the refresh its commit triggers; rolled
    back. Falls back to the refresh of one commune's facts when the database has no submitted report."""
    from django.db import transaction

    from mtqg.dashboards.models import PendingRefresh, SummaryFact
    from mtqg.dashboards.services import summaries_refresh
    from mtqg.geo.models import UnitVersion
    from mtqg.workflow.models import Report
    from mtqg.workflow.services import report_approve

    reports = list(
        Report.objects.filter(status=Report.Status.SUBMITTED, unit__level=UnitVersion.Level.COMMUNE)
        .select_related("unit", "report_type")
        .order_by("pk")[:repeat]
    )
    samples: list[float] = []
    facts_written: list[int] = []
    for report in reports:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                approved = report_approve(actor=None, report=report, version=report.version)
                written = 0
                for path in sorted(set(PendingRefresh.objects.values_list("unit_path", flat=True))):
                    written += summaries_refresh(path)  # what the commit's on_commit callback runs
                samples.append(time.perf_counter() - started)
                facts_written.append(written)
                assert approved.pk == report.pk
                raise Rollback
        except Rollback:
            pass
    name = "dashboards.approve_commune_report_and_refresh"
    if not samples:  # no workflow reports here: one commune's refresh alone
        fact = (
            SummaryFact.objects.filter(unit__level=UnitVersion.Level.COMMUNE)
            .exclude(measure="ntm.communes")
            .first()
        )
        if fact is None:
            return []
        path = fact.unit_path
        for _ in range(repeat):
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    PendingRefresh.objects.create(unit_path=path, subtree=False)
                    facts_written.append(summaries_refresh(path))
                    samples.append(time.perf_counter() - started)
                    raise Rollback
            except Rollback:
                pass
        name = "dashboards.incremental_refresh_one_commune"
    row = result(name, Timing(samples), "s", target=1.0)
    row["detail"] = {"samples_s": [round(s, 3) for s in samples], "facts_written": facts_written}
    return [row]


def full_rebuild(repeat: int = 5) -> list[dict[str, Any]]:
    """summaries_rebuild() of the whole country inside a transaction rolled back at the end, `repeat` times."""
    from django.db import transaction

    from mtqg.dashboards.services import summaries_rebuild

    out: dict[str, Any] = {}
    samples: list[float] = []
    for _ in range(repeat):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                out = summaries_rebuild(actor=None)
                samples.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    row = result("dashboards.full_rebuild_country", Timing(samples), "s", target=300.0)
    row["detail"] = {
        "facts": out["facts"],
        "rollups": out["rollups"],
        "rollup_seconds": out["rollup_seconds"],
    }
    return [row]


def run(scale: str = "province") -> list[dict[str, Any]]:
    """DASH_NO_ROLLUPS=1 times the pages summing the facts per request (as before decision 0715)."""
    import contextlib
    import os

    from mtqg.dashboards import rollups

    small = scale in {"tiny", "small"}
    with rollups.disabled() if os.environ.get("DASH_NO_ROLLUPS") else contextlib.nullcontext():
        out = pages(5 if small else 10)
        out += page_cpu()
    out += approve_and_refresh()
    if not small or os.environ.get("DASH_FULL_REBUILD"):
        out += full_rebuild(1 if scale == "national" else 5)  # national: ≈ 1,5 min a rebuild, once
    load = os.getloadavg()
    for row in out:
        row.setdefault("detail", {})["load_average"] = [round(x, 2) for x in load]
    return out


ONE_ROUND = (
    "import json, os, sys; sys.path.insert(0, os.getcwd()); os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
    "'mtqg.settings'); import django; django.setup(); from benchmarks.dashboards import page_cpu; "
    "r = page_cpu(rounds=1)[0]; print('ROUND ' + json.dumps([r['value'], r['baseline']]))"
)


def side_by_side(baseline_tree: str, rounds: int = 5) -> list[dict[str, Any]]:
    """CPU per dashboard request of this code against another checkout of the project (`git archive <commit>`
    into a directory: the code before a change), on the same database: `rounds` runs of one `page_cpu` round
    each, this code and the baseline alternating, each in a fresh process (decision 0821). Rows: the warmed
    hit (target 9a) and, for the record, every request a miss."""
    database = settings.DATABASES["default"]
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{database['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "mtqg.settings",
        "DASHBOARDS_WARM": "0",
    }
    trees = {"ours": Path(__file__).resolve().parents[1], "baseline": Path(baseline_tree).resolve()}
    hits: dict[str, list[float]] = {"ours": [], "baseline": []}
    misses: dict[str, list[float]] = {"ours": [], "baseline": []}
    for _ in range(rounds):
        for who, tree in trees.items():
            out = subprocess.run(
                [sys.executable, "-c", ONE_ROUND],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            hit, miss = json.loads(next(line for line in out.splitlines() if line.startswith("ROUND "))[6:])
            hits[who].append(hit)
            misses[who].append(miss)
    commit = Path(baseline_tree).name
    name = (
        f"before decision 0821 ({commit}: the scope in 1 + 3 queries an assignment, reverse() in base.html)"
    )
    hit_row = result(
        "dashboards.cpu_per_request_p50",
        Timing(hits["ours"]),
        "s",
        baseline=Timing(hits["baseline"]),
        baseline_name=name,
        target=0.010,
    )
    miss_row = result(
        "dashboards.cpu_per_request_p50_not_warmed",
        Timing(misses["ours"]),
        "s",
        baseline=Timing(misses["baseline"]),
        baseline_name=name,
    )
    for row in (hit_row, miss_row):
        row["detail"] = {"rounds": rounds, "alternating": True, "baseline_tree": str(trees["baseline"])}
    hit_row["detail"]["what"] = "warmed pages (pages_warm): a hit; target 9a"
    miss_row["detail"]["what"] = "every request a miss (cache cleared before each)"
    return [hit_row, miss_row]


def cpu_report(load_files: list[str], label: str = "dashboard-cpu", baseline_tree: str | None = None) -> Path:
    """Write benchmarks/results/<date>-demo-<label>.json/.md (decision 0807 format): page_cpu() — or, with
    `baseline_tree`, side_by_side() against that checkout — and the dashboard rows of `benchmarks.load --json`
    runs, each named after whether it started warmed (`--warm`) or empty."""
    from benchmarks.render import RESULTS, header, table

    load_start = loadavg()
    rows = side_by_side(baseline_tree) if baseline_tree else page_cpu()
    results = [{**r, "db": "sqlite"} for r in rows]
    for arg in load_files:  # PATH, or SUFFIX=PATH (e.g. before_0821=…: a run of the baseline checkout)
        suffix, _sep, file = arg.rpartition("=")
        rows = json.loads(Path(file).read_text(encoding="utf-8"))
        detail = next((r["detail"] for r in rows if r.get("detail", {}).get("database")), {})
        state = ("warmed" if detail.get("warmed") else "empty_cache") + (f".{suffix}" if suffix else "")
        db = "postgresql" if "postgres" in str(detail.get("database", "")) else "sqlite"
        for r in rows:
            if r["name"].startswith("load.dashboard") or r is rows[0]:
                results.append({**r, "name": f"{r['name']}.{state}", "db": db})
    method = (
        "CPU time (thread_time) per dashboard request: page_cpu = median over 5 rounds of each round's p50 over "
        "40 requests of the load test's mix for one provincial user, warmed (pages_warm) against every request a "
        "miss; load rows = one benchmarks.load run each (decision 0820)"
    )
    if baseline_tree:
        method = (
            "CPU time (thread_time) per dashboard request, Django test client, demo database (SQLite): each round "
            "= one page_cpu round in a fresh process (the p50 over 40 requests of the load test's mix for one "
            "provincial user, on warmed pages; and every request a miss), this code and the code before decision "
            "0821 alternating; median of 5 rounds with min/max; load rows = one benchmarks.load run each "
            "(gunicorn, the Server-Timing cpu of each request; decision 0821)"
        )
    report = {
        **report_head("demo", load_start),
        "method": method,
        "command": " ".join(sys.argv),
        "results": results,
    }
    stem = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}-demo-{label}"
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    (RESULTS / f"{stem}.md").write_text(f"# Benchmarks\n\n{header(report, path)}{table(report)}")
    return path


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    if sys.argv[1:2] == [
        "cpu"
    ]:  # benchmarks/dashboards.py cpu [--baseline TREE] [--label L] [load-run.json …]
        args = sys.argv[2:]
        options = {}
        while args and args[0] in ("--baseline", "--label"):
            options[args[0][2:]] = args[1]
            args = args[2:]
        path = cpu_report(
            args, label=options.get("label", "dashboard-cpu"), baseline_tree=options.get("baseline")
        )
        print(path.read_text())
        sys.exit(0)
    rows = run(sys.argv[1] if len(sys.argv) > 1 else "province")
    for row in rows:
        print(row["name"], row["value"], row["unit"], "target", row["target"], row.get("detail", ""))
