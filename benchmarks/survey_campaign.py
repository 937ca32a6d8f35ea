"""Review campaign benchmark (issue #23): a commune's campaign page with 3.000 listed households (target
< 200 ms) and the sync of 500 surveys from one device (target < 5 s).

Built here inside one transaction that is rolled back at the end (nothing stays): a 2025 Điện Biên commune gets N
households poor in 2024 spread over 10 villages, the 2025 campaign is opened by `campaign_create` (timed 5 times in
rolled-back savepoints, reported), an enumerator holds every village, and the page /ra-soat/<id>/ is fetched through
the Django test client as the commune officer (full render: scoping, progress per village, first page of the list).
Then one batch of M complete Phiếu A/B from a new device goes through `sync_batch` (every item evaluated by the
engine, written with its change record and its idempotency row).

Side by side in the same run (decision 0807): the page against the plain queries of what it shows, the sync against
the naive per-review ORM loop; every sample of a sync is written in a savepoint that is rolled back, so each of the
≥ 5 alternating samples writes the same 500 forms.

Standalone: `.venv/bin/python -m benchmarks.survey_campaign [tiny|small|full] --json OUT --db sqlite|postgresql`
(needs a migrated database with the units loaded); `--merge` writes the results file (see main()).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

SIZES = {"tiny": (300, 50), "small": (1_000, 200), "full": (3_000, 500)}  # (listed households, forms synced)


class _Rollback(Exception):
    pass


def _build(n: int) -> tuple[Any, Any, Any, Any]:
    from mtqg.accounts.models import Assignment, User
    from mtqg.core.text import fold
    from mtqg.geo.models import UnitVersion
    from mtqg.geo.services import unit_create
    from mtqg.poverty.models import Household, Review
    from mtqg.poverty.standards import load_standards, standard_for
    from mtqg.survey.definitions import load_forms
    from mtqg.workflow.calendar import load_calendars

    load_standards()
    load_forms()
    load_calendars([2025])
    # a commune of its own under Điện Biên (2025 structure), rolled back with the rest: at province scale every
    # real commune already has households on the register, and the campaign lists them all (the page would show
    # n + the commune's own, not the n this benchmark is named after)
    province = UnitVersion.objects.filter(structure="2025", level=1, code="11").get()
    sample = UnitVersion.objects.filter(structure="2025", level=3, parent=province).order_by("code").last()
    assert sample is not None
    commune = unit_create(
        actor=None,
        parent=province,
        code="BENCH-SV",
        name="Xã Đo (benchmark)",
        level=3,
        kind=UnitVersion.Kind.COMMUNE,
        valid_from=sample.valid_from,
    )
    villages = [
        unit_create(
            actor=None,
            parent=commune,
            code=f"BENCH-{commune.code}-{v:02d}",
            name=f"Bản Đo {v}",
            level=4,
            kind=UnitVersion.Kind.VILLAGE,
            valid_from=commune.valid_from,
        )
        for v in range(10)
    ]
    households = Household.objects.bulk_create(
        Household(
            code=f"BENCH-SV-{i:06d}",
            commune=commune,
            village=villages[i % 10],
            head_name=f"Lò Văn Đo {i}",
            head_search=fold(f"Lò Văn Đo {i}"),
            ethnicity="Thái",
        )
        for i in range(n)
    )
    std = standard_for(2024)
    Review.objects.bulk_create(
        Review(
            household=h,
            commune=commune,
            year=2024,
            income_per_capita_month=1_200_000,
            deprivation_count=3,
            standard=std,
            poverty_class="poor",
        )
        for h in households
    )
    officer = User.objects.create(username="bench_survey_commune")
    Assignment.objects.create(user=officer, role=Assignment.Role.COMMUNE, unit=commune)
    enumerator = User.objects.create(username="bench_survey_dtv")
    return commune, villages, officer, enumerator


def _rolled_back(fn: Any) -> float:
    """Wall time of `fn` inside a savepoint that is then rolled back: every sample writes the same rows."""
    from django.db import transaction

    sid = transaction.savepoint()
    started = time.perf_counter()
    fn()
    took = time.perf_counter() - started
    transaction.savepoint_rollback(sid)
    return took


def _naive_sync(enumerator: Any, batch: list[dict[str, Any]]) -> None:
    """The baseline: the plain per-review ORM loop — fetch each listed household, evaluate and save its form
    (members, standard and region read again for every review), its change record and idempotency row."""
    from django.db import transaction

    from mtqg.survey.models import CampaignHousehold, Device, SyncItem
    from mtqg.survey.services import _save_response

    device = Device.objects.get_or_create(device_id="bench-naive-0001", defaults={"user": enumerator})[0]
    for raw in batch:
        item = CampaignHousehold.objects.select_related(
            "campaign__form", "campaign__commune", "household"
        ).get(pk=raw["household"])
        with transaction.atomic():
            _save_response(
                actor=enumerator, item=item, answers=raw["answers"], device=device, entered_at=None
            )
            SyncItem.objects.create(client_id=raw["client_id"], device=device, item=item, outcome="saved")


def _plain_page(campaign: Any) -> None:
    """The baseline of the page: the plain queries for what it shows (progress per village by one GROUP BY, the
    first 100 rows of the list), no scoping, no rendering."""
    from django.db.models import Count, Q

    from mtqg.survey.models import CampaignHousehold

    rows = CampaignHousehold.objects.filter(campaign=campaign)
    list(rows.values("village_id").annotate(n=Count("id"), done=Count("id", filter=Q(status="surveyed"))))
    list(rows.select_related("household", "village").order_by("village__name", "household__code")[:100])


def run(scale: str = "full") -> list[dict[str, Any]]:
    from django.db import transaction
    from django.test import Client

    from benchmarks.common import Timing, paired, result
    from mtqg.survey.definitions import questions, standard_of
    from mtqg.survey.demo import answers_for
    from mtqg.survey.models import CampaignHousehold
    from mtqg.survey.services import campaign_create, campaign_village_assign
    from mtqg.survey.sync import sync_batch

    n, m = SIZES.get(scale, SIZES["full"])  # make bench passes province/national: the target sizes
    out: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            commune, villages, officer, enumerator = _build(n)
            opening = lambda: campaign_create(actor=officer, commune=commune, year=2025)  # noqa: E731
            _rolled_back(opening)  # warm-up; then 5 openings, each rolled back (decision 0807)
            t_create = Timing([_rolled_back(opening) for _ in range(5)])
            campaign = opening()
            for village in villages:
                campaign_village_assign(
                    actor=officer, campaign=campaign, village=village, enumerator=enumerator
                )
            client = Client()
            client.force_login(officer)
            url = f"/ra-soat/{campaign.pk}/"
            page = client.get(url)
            assert page.status_code == 200 and f"{n:,}".replace(",", ".") in page.content.decode(), "page"
            t_page, t_plain = paired(lambda: client.get(url), lambda: _plain_page(campaign))
            qs = questions(campaign.form, standard_of(campaign.form))
            items = list(CampaignHousehold.objects.filter(campaign=campaign).order_by("pk")[:m])

            def batch() -> list[dict[str, Any]]:  # fresh client ids: each sample is a new batch
                return [
                    {
                        "client_id": str(uuid.uuid4()),
                        "household": it.pk,
                        "base_version": 0,
                        "answers": answers_for(qs, "poor", k),
                    }
                    for k, it in enumerate(items)
                ]

            def ours() -> None:
                body = sync_batch(actor=enumerator, device_id="bench-device-0001", items=batch())
                assert body["saved"] == m, body["results"][:3]

            ours_s: list[float] = []
            naive_s: list[float] = []
            _rolled_back(ours)  # warm-up of both
            _rolled_back(lambda: _naive_sync(enumerator, batch()))
            for _ in range(5):  # alternating, each in a rolled-back savepoint
                ours_s.append(_rolled_back(ours))
                naive_s.append(_rolled_back(lambda: _naive_sync(enumerator, batch())))
            t_sync, t_naive = Timing(ours_s), Timing(naive_s)
            out = [
                result(
                    f"survey.campaign_page_{n}_households",
                    t_page,
                    "s",
                    target=0.2,
                    baseline=t_plain,
                    baseline_name="the plain queries of the page (GROUP BY per village + first 100 rows), no render",
                ),
                result(f"survey.campaign_create_{n}_households", t_create, "s"),
                result(
                    f"survey.sync_{m}_reviews_one_device",
                    t_sync,
                    "s",
                    target=5.0,
                    baseline=t_naive,
                    baseline_name="naive per-review ORM loop (get, evaluate, save, change record, idempotency row)",
                ),
            ]
            raise _Rollback
    except _Rollback:
        pass
    return out


def _report(rows_by_db: dict[str, list[dict[str, Any]]], note: str) -> dict[str, Any]:
    """A results file in the shape of benchmarks/run.py's (rendered by benchmarks/render.py)."""
    import sys

    from benchmarks.common import report_head
    from benchmarks.run import METHOD

    results = [{**r, "db": db} for db, rows in rows_by_db.items() for r in rows]
    sqlite = {r["name"]: r for r in rows_by_db.get("sqlite", [])}
    for r in results:
        other = sqlite.get(r["name"])
        if r["db"] == "postgresql" and other and r.get("value") and other.get("value"):
            r["sqlite_over_postgresql"] = round(other["value"] / r["value"], 2)
    return {
        **report_head("province", "see each row"),
        "method": METHOD,
        "note": note,
        "command": " ".join(sys.argv),
        "results": results,
    }


def main(argv: list[str]) -> None:
    """`python -m benchmarks.survey_campaign [tiny|small|full] [--json OUT --db sqlite|postgresql]` runs on the
    current database (migrated, units loaded); `--merge SQLITE.json PG.json --label L --note N` writes
    benchmarks/results/<date>-province-<label>.json/.md from two such runs."""
    import argparse
    import datetime as dt
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("scale", nargs="?", default="full")
    parser.add_argument("--json")
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--merge", nargs=2)
    parser.add_argument("--label", default="survey")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if args.merge:
        from benchmarks.render import header, table

        rows = {
            db: json.loads(Path(f).read_text())
            for db, f in zip(("sqlite", "postgresql"), args.merge, strict=True)
        }
        report = _report(rows, args.note)
        results = Path(__file__).parent / "results"
        stem = f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d')}-province-{args.label}"
        path = results / f"{stem}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
        (results / f"{stem}.md").write_text("# Benchmarks\n\n" + header(report, path) + table(report))
        print(table(report))
        return
    import django

    django.setup()
    from benchmarks.common import loadavg
    from benchmarks.run import _db_settings

    before = loadavg()
    rows = run(args.scale)
    for row in rows:
        row["load_average"] = [before, loadavg()]
        print(
            row["name"], row["value"], row.get("min"), row.get("max"), row.get("baseline"), row.get("ratio")
        )
    if args.json:
        Path(args.json).write_text(json.dumps(_db_settings() + rows, default=str))


if __name__ == "__main__":
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    main(sys.argv[1:])
