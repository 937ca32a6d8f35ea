"""Review campaign benchmark (issue #23): a commune's campaign page with 3.000 listed households (target
< 200 ms) and the sync of 500 surveys from one device (target < 5 s).

Built here inside one transaction that is rolled back at the end (nothing stays): a 2025 Điện Biên commune gets
N households poor in 2024 spread over 10 villages, the 2025 campaign is opened by `campaign_create` (timed once,
reported), an enumerator holds every village, and the page /ra-soat/<id>/ is fetched through the Django test client
as the commune officer (full render: scoping, progress per village, first page of the list). Then one batch of M
complete Phiếu A/B from a new device goes through `sync_batch` (every item evaluated by the engine, written with its
change record and its idempotency row).

Standalone: `.venv/bin/python -m benchmarks.survey_campaign [tiny|small|full]` (needs a migrated database with
the units loaded).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

SIZES = {"tiny": (300, 50), "small": (1_000, 200), "full": (3_000, 500)}
COMMUNE = "03328"  # a 2025 commune of Điện Biên


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
    commune = UnitVersion.objects.filter(structure="2025", level=3, parent__code="11").order_by("code").last()
    assert commune is not None
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


def run(scale: str = "full") -> list[dict[str, Any]]:
    from django.db import transaction
    from django.test import Client

    from benchmarks.common import result, timed
    from mtqg.survey.definitions import questions, standard_of
    from mtqg.survey.demo import answers_for
    from mtqg.survey.models import CampaignHousehold
    from mtqg.survey.services import campaign_create, campaign_village_assign
    from mtqg.survey.sync import sync_batch

    n, m = SIZES[scale]
    out: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            commune, villages, officer, enumerator = _build(n)
            started = time.perf_counter()
            campaign = campaign_create(actor=officer, commune=commune, year=2025)
            t_create = time.perf_counter() - started
            for village in villages:
                campaign_village_assign(
                    actor=officer, campaign=campaign, village=village, enumerator=enumerator
                )
            client = Client()
            client.force_login(officer)
            url = f"/ra-soat/{campaign.pk}/"
            page = client.get(url)
            assert page.status_code == 200 and f"{n:,}".replace(",", ".") in page.content.decode(), "page"
            t_page = timed(lambda: client.get(url), repeat=3 if scale == "tiny" else 5)
            qs = questions(campaign.form, standard_of(campaign.form))
            items = list(CampaignHousehold.objects.filter(campaign=campaign).order_by("pk")[:m])
            batch = [
                {
                    "client_id": str(uuid.uuid4()),
                    "household": it.pk,
                    "base_version": 0,
                    "answers": answers_for(qs, "poor", k),
                }
                for k, it in enumerate(items)
            ]
            started = time.perf_counter()
            body = sync_batch(actor=enumerator, device_id="bench-device-0001", items=batch)
            t_sync = time.perf_counter() - started
            assert body["saved"] == m, body["results"][:3]
            out = [
                result(f"survey.campaign_page_{n}_households", t_page, "s", target=0.2),
                result(f"survey.campaign_create_{n}_households", t_create, "s"),
                result(f"survey.sync_{m}_reviews_one_device", t_sync, "s", target=5.0),
            ]
            raise _Rollback
    except _Rollback:
        pass
    return out


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "full"):
        print(row)
