"""Demo of provincial criteria sets authored in the app (decision record 0120): Điện Biên's 2026 set written through
the services by the demo logins `dienbien` (author) and `trunguong` (acknowledges), and a 2027 draft in progress.
Decision numbers are illustrative ("minh họa"). Idempotent."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from mtqg.accounts import demo as accounts_demo
from mtqg.accounts.models import User
from mtqg.geo.models import UnitVersion

from . import authoring, engine
from .loader import load_all
from .models import Assessment, CriteriaSet, Indicator, IndicatorValue, ThresholdSource

DEMO_DECISION = "412/QĐ-UBND (minh họa)"
DEMO_PDF = b"%PDF-1.4\n% Quyet dinh ban hanh Bo tieu chi xa NTM tinh Dien Bien 2026-2030 (minh hoa)\n%%EOF\n"


@transaction.atomic
def seed() -> int:
    """Returns the number of Điện Biên assessments moved onto the province's acknowledged set (0 when present)."""
    load_all()
    province = UnitVersion.objects.filter(
        structure="2025", level=UnitVersion.Level.PROVINCE, code="11"
    ).first()
    if (
        province is None
        or CriteriaSet.objects.filter(code=authoring.province_code_of(province, "standard")).exists()
    ):
        return 0
    accounts_demo.seed()  # the logins act as authors (idempotent; seeded again at the end of the demo)
    officer = User.objects.filter(username="dienbien").first()
    central = User.objects.filter(username="trunguong").first()
    moet = ThresholdSource.objects.get(code="qd1491-bgddt-2022")
    v1 = authoring.criteria_set_inherit(
        actor=officer,
        province=province,
        valid_from=date(2026, 2, 15),
        name="Bộ tiêu chí xã NTM tỉnh Điện Biên giai đoạn 2026-2030 (minh họa)",
    )
    cite = f"Điều 2 QĐ {DEMO_DECISION}"
    authoring.criteria_indicator_add(
        actor=officer,
        criterion=v1.criteria.get(number=5),
        spec={
            "code": "5.2",
            "name": "Tỷ lệ trường học (mầm non, tiểu học, THCS) đạt chuẩn cơ sở vật chất mức độ 1",
            "value_type": Indicator.Type.PERCENT,
            "unit_label": "%",
            "thresholds": [
                {"region": "1", "op": "ge", "value": "100", "source": cite, "cited_source": moet},
                {"region": "2", "op": "ge", "value": "80", "source": cite, "cited_source": moet},
                {"region": "3", "op": "ge", "value": "70", "source": cite, "cited_source": moet},
            ],
        },
    )
    authoring.criteria_set_cite(
        actor=officer,
        criteria_set=v1,
        decision_no=DEMO_DECISION,
        decision_date=date(2026, 3, 20),
        issuer="UBND tỉnh Điện Biên",
        upload=SimpleUploadedFile("qd-412.pdf", DEMO_PDF),
    )
    authoring.criteria_set_submit(actor=officer, criteria_set=v1)
    moved = authoring.criteria_set_acknowledge(actor=central, criteria_set=v1)
    _school_values(v1)
    v2 = authoring.criteria_set_inherit(
        actor=officer,
        province=province,
        valid_from=date(2027, 1, 1),
        name="Bộ tiêu chí xã NTM tỉnh Điện Biên sửa đổi 2027 (dự thảo minh họa)",
    )
    draft_cite = "Tờ trình sửa đổi Bộ tiêu chí (dự thảo, minh họa)"
    authoring.criteria_threshold_override(
        actor=officer,
        indicator=Indicator.objects.get(criterion__criteria_set=v2, code="5.2"),
        region="3",
        op="ge",
        value="75",
        source=draft_cite,
    )
    authoring.criteria_indicator_split(
        actor=officer,
        indicator=Indicator.objects.get(criterion__criteria_set=v2, code="6.TH"),
        parts=[
            {
                "code": "6.2",
                "name": "Tỷ lệ hộ nghèo đa chiều",
                "value_type": Indicator.Type.PERCENT,
                "unit_label": "%",
                "thresholds": [
                    {"region": g, "op": "le", "value": v, "source": draft_cite}
                    for g, v in (("1", "2"), ("2", "5"), ("3", "13"))
                ],
            },
            {
                "code": "6.3",
                "name": "Thực hiện đầy đủ chính sách an sinh xã hội",
                "value_type": Indicator.Type.BOOL,
                "thresholds": [{"region": "all", "op": "true", "source": draft_cite}],
            },
        ],
    )
    return moved


def _school_values(cset: CriteriaSet) -> None:
    """Values of the province's added indicator 5.2 for the moved assessments, consistent with their 5.TH."""
    school = Indicator.objects.get(criterion__criteria_set=cset, code="5.2")
    summary = Indicator.objects.get(criterion__criteria_set=cset, code="5.TH")
    rng = random.Random(412)
    met = dict(
        IndicatorValue.objects.filter(assessment__criteria_set=cset, indicator=summary).values_list(
            "assessment_id", "value"
        )
    )
    ids = list(Assessment.objects.filter(criteria_set=cset).values_list("pk", flat=True))
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                assessment_id=a,
                indicator=school,
                value=Decimal(rng.randint(72, 100) if met.get(a) == 1 else rng.randint(30, 65)),
                source="Báo cáo tự đánh giá của xã (minh họa)",
                measured_on=date(2026, 12, 6),
            )
            for a in ids
        ]
    )
    engine.recompute(Assessment.objects.filter(pk__in=ids))
