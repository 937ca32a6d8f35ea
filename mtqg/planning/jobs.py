"""Background job: compute and save a scenario for a large unit (the country) without holding the request."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from mtqg.core.jobs import JobContext
from mtqg.geo.models import UnitVersion

from .services import scenario_create


def scenario_job(ctx: JobContext, **params: Any) -> dict[str, Any]:
    ctx.progress(5, _("Đang ước tính chi phí và giải mô hình…"))
    province = UnitVersion.objects.get(pk=params["province_id"])
    as_of = parse_date(params["as_of"])
    assert as_of is not None
    scenario = scenario_create(
        actor=ctx.actor,
        province=province,
        name=params["name"],
        as_of=as_of,
        budget=params["budget"],
        mode=params["mode"],
        objective=params["objective"],
        rules=params.get("rules") or {},
        note=params.get("note", ""),
    )
    plan = next(r for r in scenario.result["side_by_side"] if r["method"] == "optimiser")
    return {
        _("Kịch bản"): scenario.name,
        _("Xã đạt chuẩn thêm"): plan["communes_reaching"],
        "url": scenario.get_absolute_url(),
    }
