"""Dashboards benchmark: server time of a province dashboard page (target p95 < 200 ms) and of the public portal,
incremental refresh of the summary facts after one commune's change (target < 1 s) and, at full scale, the full
national rebuild (target < 5 min).

Run directly: `.venv/bin/python benchmarks/dashboards.py [tiny|full]` on a migrated database with units loaded
(the demo database var/mtqg.sqlite3 by default, or DATABASE_URL). `run(scale)` returns result dicts in the
benchmarks.run format. Cleans up after itself (the temporary user BENCH-dash, its change records stay audited).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

try:
    from benchmarks.common import result, timed
except ModuleNotFoundError:  # run as a script
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import result, timed


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _page_times(client: Any, url: str, n: int) -> list[float]:
    client.get(url)  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def run(scale: str = "full") -> list[dict[str, Any]]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from mtqg.accounts.models import User
    from mtqg.dashboards.demo import seed
    from mtqg.dashboards.models import PendingRefresh, SummaryFact
    from mtqg.dashboards.services import summaries_rebuild, summaries_refresh
    from mtqg.geo.models import UnitVersion

    small = scale in {"tiny", "small"}
    n = 10 if small else 40
    setup_test_environment()
    if not SummaryFact.objects.exists():
        seed()
    out: list[dict[str, Any]] = []
    user = User.objects.create_user(username="BENCH-dash", password=None, is_superuser=True)
    try:
        client = Client()
        client.force_login(user)
        for code in ("11", "04"):
            old = UnitVersion.objects.get(structure="pre2025", level=1, code=code)
            samples = _page_times(client, f"/dashboards/{old.pk}/?year=2023", n)
            out.append(result(f"dashboards.province_{code}_page_p95", _p95(samples), "s", target=0.2))
            out.append(result(f"dashboards.province_{code}_page_median", statistics.median(samples), "s"))
        country = UnitVersion.objects.get(level=0)
        samples = _page_times(client, f"/dashboards/{country.pk}/?year=2023", max(3, n // 4))
        out.append(result("dashboards.national_page_p95", _p95(samples), "s", target=0.5))
        anonymous = Client()
        samples = _page_times(anonymous, "/cong-khai/?year=2023", max(3, n // 4))
        out.append(result("portal.index_p95", _p95(samples), "s", target=0.5))
    finally:
        user.delete()

    # incremental refresh after one commune's change (the path a service's ChangeRecord marks)
    commune = (
        SummaryFact.objects.filter(measure="ntm.assessed").select_related("unit").first()
        or SummaryFact.objects.filter(unit__level=3).select_related("unit").first()
    )
    if commune is not None:
        path = commune.unit.path

        def refresh() -> None:
            PendingRefresh.objects.create(unit_path=path, subtree=False)
            summaries_refresh(path)

        out.append(
            result("dashboards.incremental_refresh_one_commune", timed(refresh, repeat=5), "s", target=1.0)
        )

        province_path = "/".join(path.strip("/").split("/")[:2]) + "/"

        def refresh_province() -> None:
            PendingRefresh.objects.create(unit_path=province_path, subtree=True)
            summaries_refresh(province_path)

        out.append(
            result("dashboards.incremental_refresh_province_subtree", timed(refresh_province, repeat=3), "s")
        )
    if not small:
        started = time.perf_counter()
        summaries_rebuild(actor=None)
        out.append(
            result("dashboards.full_rebuild_country", time.perf_counter() - started, "s", target=300.0)
        )
    return out


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "full"):
        print(row)
