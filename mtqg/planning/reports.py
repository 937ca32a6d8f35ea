"""Report 'planning-scenario': the saved scenarios of a unit (latest first) with their side-by-side figures."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, MONEY, Column
from mtqg.reports.document import Report, figures_report, rows_table, unit_figures
from mtqg.reports.params import ReportParams

from .models import Scenario
from .selectors import sensitivity_columns, side_by_side_columns, summary


def scenario_report(user: Any, params: ReportParams) -> dict[str, Any]:
    qs = Scenario.objects.all() if user is None else Scenario.objects.visible_to(user)
    unit = params.unit
    rows = qs.filter(province__path__startswith=unit.path).select_related("province")
    if params.as_of:
        rows = rows.filter(as_of__lte=params.as_of)
    items = [summary(s) for s in rows.order_by("-created_at", "-pk")[:20]]
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "scenarios": items,
        "latest": items[0] if items else None,
    }


def scenario_layout(data: dict[str, Any]) -> Report:
    """Declared layout (catalog.LAYOUTS): the saved scenarios, then the latest one's comparison and sensitivity."""
    latest = data.get("latest") or {}
    scenarios = [
        Column("name", _("Kịch bản")),
        Column("as_of", _("Tính đến ngày"), DATE),
        Column("budget", _("Ngân sách (đồng)"), MONEY),
        Column("mode", _("Cách phân bổ")),
        Column("objective", _("Mục tiêu")),
        Column("converted", _("Đã chuyển thành kế hoạch")),
    ]
    comparison = rows_table(_("So sánh phương án"), latest.get("side_by_side"), side_by_side_columns())
    if comparison is not None:
        comparison.notes = [str(latest.get("name", "")), *[str(n) for n in latest.get("notes") or []]]
    return figures_report(
        data,
        unit_figures(),
        rows_table(_("Các kịch bản"), data.get("scenarios"), scenarios),
        comparison,
        rows_table(_("Độ nhạy ngân sách"), latest.get("sensitivity"), sensitivity_columns()),
    )
