"""Catalog reports of the workflow app: completeness/timeliness of a unit's year and batch validation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, INT, Column
from mtqg.reports.document import Figure, Report, figures_report, rows_table
from mtqg.reports.params import ReportParams

from .models import ReportingPeriod, ReportType
from .selectors import completeness
from .validation import validate_batch


def completeness_report(user: Any, params: ReportParams) -> dict[str, Any]:
    """Per report type and period of the year: expected, on time, late, missing (units under params.unit)."""
    year = params.year or timezone.localdate().year
    periods = list(ReportingPeriod.objects.filter(year=year))
    out = []
    for rt in ReportType.objects.all():
        for period in periods:
            if not rt.expects(period):
                continue
            data = completeness(user, rt, period, params.unit)
            deadline = data["deadline"]
            out.append(
                {
                    "report_type": rt.code,
                    "period": period.code,
                    "deadline": deadline.isoformat() if deadline else None,
                    "expected": data["expected"],
                    **data["counts"],
                }
            )
    return {"unit": params.unit.code, "unit_name": params.unit.name, "year": year, "rows": out}


def validation_report(user: Any, params: ReportParams) -> dict[str, Any]:
    """Batch validation (rules and outliers) of every report type for the unit's year."""
    year = params.year or timezone.localdate().year
    return {
        "unit": params.unit.code,
        "year": year,
        "types": [validate_batch(user, rt, params.unit, year) for rt in ReportType.objects.all()],
    }


# -----------------------------------------------------------------------------------------------------------------
# Declared layouts (catalog.LAYOUTS): each column's label and kind
# -----------------------------------------------------------------------------------------------------------------


def completeness_layout(data: dict[str, Any]) -> Report:
    columns = [
        Column("report_type", _("Loại báo cáo")),
        Column("period", _("Kỳ báo cáo")),
        Column("deadline", _("Hạn nộp"), DATE),
        Column("expected", _("Số đơn vị phải nộp"), INT),
        Column("on_time", _("Đúng hạn"), INT),
        Column("late", _("Trễ hạn"), INT),
        Column("missing", _("Chưa nộp"), INT),
    ]
    figures = [Figure("unit", _("Mã đơn vị")), Figure("unit_name", _("Đơn vị")), Figure("year", _("Năm"))]
    return figures_report(data, figures, rows_table(_("Tình hình nộp báo cáo"), data.get("rows"), columns))


def validation_layout(data: dict[str, Any]) -> Report:
    types = [{**t, **(t.get("totals") or {})} for t in data.get("types") or []]
    type_columns = [
        Column("report_type", _("Loại báo cáo")),
        Column("province", _("Tỉnh")),
        Column("year", _("Năm")),
        Column("reports", _("Số báo cáo"), INT),
        Column("errors", _("Có lỗi"), INT),
        Column("warnings", _("Có cảnh báo"), INT),
        Column("clean", _("Không có vấn đề"), INT),
    ]
    problems = [
        {**r, "report_type": t.get("report_type")}
        for t in data.get("types") or []
        for r in t.get("rows") or []
    ]
    problem_columns = [
        Column("report_type", _("Loại báo cáo")),
        Column("unit_code", _("Mã đơn vị")),
        Column("unit_name", _("Đơn vị")),
        Column("period", _("Kỳ báo cáo")),
        Column("status", _("Trạng thái")),
        Column("errors", _("Lỗi")),
        Column("warnings", _("Cảnh báo")),
    ]
    return figures_report(
        data,
        [Figure("unit", _("Đơn vị")), Figure("year", _("Năm"))],
        rows_table(_("Theo loại báo cáo"), types, type_columns),
        rows_table(_("Báo cáo có lỗi hoặc cảnh báo"), problems, problem_columns),
    )
