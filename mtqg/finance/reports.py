"""Report functions listed in mtqg/reports/catalog.py: (user, params) → JSON-ready figures; their layouts
(figures → typed blocks) are declared below and listed in catalog.LAYOUTS."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, DECIMAL, MONEY, PERCENT, Column
from mtqg.reports.document import Figure, Report, figures_report, rows_table
from mtqg.reports.params import ReportParams

from . import selectors


def _year_and_as_of(params: ReportParams) -> tuple[int, date]:
    """The year (given, else the as-of date's, else this year) and the as-of date (given, else the statutory day
    of the year, as on the finance page and the dashboards: `selectors.statutory_as_of`)."""
    year = params.year or (params.as_of.year if params.as_of else date.today().year)
    return year, params.as_of or selectors.statutory_as_of(year)


def disbursement(user: Any, params: ReportParams) -> dict[str, Any]:
    """Plan, disbursed and rate for central (NSTW) and local counterpart funds, by program and by source."""
    year, as_of = _year_and_as_of(params)
    return selectors.disbursement_summary(user, params.unit, year, as_of, params.include_carry_over)


def outputs(user: Any, params: ReportParams) -> list[dict[str, Any]]:
    """Output indicators: [{code, name, actual, target, unit}]."""
    year, _as_of = _year_and_as_of(params)
    return selectors.outputs(user, params.unit, year)


def finance_alerts(user: Any, params: ReportParams) -> list[dict[str, Any]]:
    """Alerts (slow disbursement, scattered investment, behind schedule) with causes."""
    year, as_of = _year_and_as_of(params)
    rows = selectors.alerts(user, params.unit, year, as_of, params.include_carry_over)
    return [{**a, "unit": a["unit"].code} for a in rows]


# -----------------------------------------------------------------------------------------------------------------
# Declared layouts (catalog.LAYOUTS): each column's label and kind
# -----------------------------------------------------------------------------------------------------------------


def _money_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("plan", _("Kế hoạch (đồng)"), MONEY),
        Column("disbursed", _("Đã giải ngân (đồng)"), MONEY),
        Column("rate", _("Tỷ lệ (%)"), PERCENT),
    ]


def disbursement_layout(data: dict[str, Any]) -> Report:
    central, local = _("Ngân sách Trung ương"), _("Ngân sách địa phương đối ứng")
    figures = [
        Figure("unit", _("Đơn vị")),
        Figure("year", _("Năm")),
        Figure("as_of", _("Tính đến ngày"), DATE),
        Figure("denominator", _("Mẫu số")),
    ]
    for key, name in (("central", central), ("local_counterpart", local)):
        figures += [
            Figure(f"{key}.plan", f"{name} — {_('Kế hoạch (đồng)')}", MONEY),
            Figure(f"{key}.disbursed", f"{name} — {_('Đã giải ngân (đồng)')}", MONEY),
            Figure(f"{key}.rate", f"{name} — {_('Tỷ lệ (%)')}", PERCENT),
        ]
    return figures_report(
        data,
        figures,
        rows_table(
            _("Theo chương trình"),
            data.get("by_program"),
            _money_columns(Column("program", _("Chương trình"))),
        ),
        rows_table(
            _("Theo nguồn vốn"), data.get("by_source"), _money_columns(Column("source", _("Nguồn vốn")))
        ),
    )


def outputs_layout(data: list[dict[str, Any]]) -> Report:
    columns = [
        Column("code", _("Mã")),
        Column("name", _("Tên")),
        Column("actual", _("Thực hiện"), DECIMAL),
        Column("target", _("Mục tiêu"), DECIMAL),
        Column("unit", _("Đơn vị tính")),
        Column("program", _("Chương trình")),
        Column("percent", _("Tỷ lệ (%)"), PERCENT),
    ]
    return Report(data, [rows_table(_("Kết quả đầu ra so với mục tiêu"), data, columns)])


def finance_alerts_layout(data: list[dict[str, Any]]) -> Report:
    columns = [
        Column("kind", _("Loại")),
        Column("unit", _("Đơn vị")),
        Column("title", _("Nội dung")),
        Column("evidence", _("Dẫn chứng")),
        Column("cause", _("Nguyên nhân")),
        Column("proposed_adjustment", _("Đề xuất điều chỉnh")),
    ]
    return Report(data, [rows_table(_("Cảnh báo giải ngân, đầu tư"), data, columns)])
