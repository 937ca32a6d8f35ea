"""A provincial criteria set's save and the recompute of its province (issue 22 part 4; target < 10 s).

One timed run is what a province does through the app (mtqg.ntm.authoring): a new version inheriting the national set
in force (or the province's previous version), one added indicator with cited thresholds, the decision cited with
its PDF, submitted, acknowledged by central — which puts it in force and moves every assessment of the province in
its span onto it and recomputes them. The province is the 2025 province with the most communes (`full`) or its first
40 communes (`small`); each commune has a QĐ 51/2025 assessment with values. Median of ≥ 5 runs after a warm-up, with
min/max; the baseline, timed alternately, is a bare `engine.recompute` of the same assessments (the floor the save
cannot go under). Everything the run writes is removed afterwards.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import django
from django.apps import apps

if not apps.ready:  # run as `python -m benchmarks.ntm_provincial_set`; benchmarks.run sets Django up itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from benchmarks.common import paired, result
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
from mtqg.ntm import authoring, engine
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Assessment, CriteriaSet, Indicator, IndicatorValue, ThresholdSource

NOTE = "benchmark-provincial-set"
PDF = b"%PDF-1.4\n% benchmark\n%%EOF\n"


def _province(scale: str) -> tuple[Any, list[int]]:

    provinces = (
        UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.PROVINCE)
        .exclude(code="11")  # the demo's own provincial set lives there
        .order_by("code")
    )
    best, ids = None, []
    for p in provinces:
        found = list(
            UnitVersion.objects.filter(
                path__startswith=p.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(found) > len(ids):
            best, ids = p, found
    return best, ids[:40] if scale == "small" else ids


def _setup(province: Any, ids: list[int]) -> tuple[Any, list[int]]:

    load_all()
    national = CriteriaSet.objects.get(code="qd51-2025")
    scheme = ClassificationScheme.objects.get(code="commune_group_2026")
    rng = random.Random(22)
    grouped = set(
        UnitClassification.objects.filter(scheme=scheme, unit_id__in=ids).values_list("unit_id", flat=True)
    )
    indicators = list(Indicator.objects.filter(criterion__criteria_set=national).values_list("pk", flat=True))
    with transaction.atomic():
        UnitClassification.objects.bulk_create(
            [
                UnitClassification(
                    unit_id=c,
                    scheme=scheme,
                    value=rng.choice("123"),
                    valid_from=date(2026, 2, 15),
                    legal_basis=NOTE,
                )
                for c in ids
                if c not in grouped
            ]
        )
        made = Assessment.objects.bulk_create(
            [
                Assessment(
                    commune_id=c, year=2026, criteria_set=national, assessed_on=date(2026, 12, 31), note=NOTE
                )
                for c in ids
            ]
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(assessment_id=a.pk, indicator_id=i, value=Decimal(rng.randint(0, 1)))
                for a in made
                for i in indicators
            ],
            batch_size=5000,
        )
    return national, [a.pk for a in made]


def run(scale: str = "full") -> dict[str, Any]:

    province, ids = _province(scale)
    code = authoring.province_code_of(province, "standard")
    if CriteriaSet.objects.filter(code=code).exists():
        raise RuntimeError(f"{code} already exists: the benchmark only removes what it wrote")
    _national, assessment_ids = _setup(province, ids)
    start = [date(2026, 2, 15)]

    def save_and_recompute() -> None:
        cset = authoring.criteria_set_inherit(actor=None, province=province, valid_from=start[0])
        criterion = cset.criteria.get(number=5)
        if not Indicator.objects.filter(criterion=criterion, code="5.2").exists():
            authoring.criteria_indicator_add(
                actor=None,
                criterion=criterion,
                spec={
                    "code": "5.2",
                    "name": "Trường đạt chuẩn cơ sở vật chất mức 1",
                    "value_type": "percent",
                    "thresholds": [{"region": "all", "op": "ge", "value": "70", "source": NOTE}],
                },
            )
        authoring.criteria_set_cite(
            actor=None,
            criteria_set=cset,
            decision_no=f"{cset.version}/QĐ-UBND",
            decision_date=start[0],
            issuer=NOTE,
            upload=SimpleUploadedFile("qd.pdf", PDF),
        )
        authoring.criteria_set_submit(actor=None, criteria_set=cset)
        authoring.criteria_set_acknowledge(actor=None, criteria_set=cset)
        start[0] += timedelta(days=1)

    def bare_recompute() -> None:
        engine.recompute(Assessment.objects.filter(pk__in=assessment_ids))

    try:
        ours, baseline = paired(save_and_recompute, bare_recompute)
        moved = Assessment.objects.filter(pk__in=assessment_ids, criteria_set__code=code).count()
    finally:
        _cleanup(code, assessment_ids)
    return {"save_and_recompute": ours, "bare_recompute": baseline, "communes": len(ids), "moved": moved}


def _cleanup(code: str, assessment_ids: list[int]) -> None:

    with transaction.atomic():
        Assessment.objects.filter(pk__in=assessment_ids).delete()
        UnitClassification.objects.filter(legal_basis=NOTE).delete()
        for cset in CriteriaSet.objects.filter(code=code).order_by("-version"):
            if cset.decision_file:
                cset.decision_file.delete(save=False)
            cset.delete()
        ThresholdSource.objects.filter(code__startswith=f"{code}-v").delete()


def results(scale: str = "full") -> list[dict[str, Any]]:

    t = run(scale)
    return [
        result(
            "ntm.provincial_set_authored_save_and_recompute",
            t["save_and_recompute"],
            "s",
            baseline=t["bare_recompute"],
            baseline_name=f"engine.recompute of the same {int(t['moved'])} assessments",
            target=10.0,
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(results(sys.argv[1] if len(sys.argv) > 1 else "full"), ensure_ascii=False, indent=1))
