"""Supervision reports (catalog functions) and tables."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.tables import INT, Column, Table
from mtqg.reports.document import Figure, Report, figures_report, rows_table
from mtqg.reports.params import ReportParams

from . import selectors


def overdue_table(user: Any) -> Table:
    today = timezone.localdate()
    return Table(
        title=str(_("Kiến nghị quá hạn")),
        columns=[
            Column("mission", str(_("Đoàn"))),
            Column("unit", str(_("Đơn vị"))),
            Column("from", str(_("Bên kiến nghị"))),
            Column("to", str(_("Bên nhận"))),
            Column("content", str(_("Nội dung"))),
            Column("deadline", str(_("Thời hạn")), "date"),
            Column("days", str(_("Số ngày quá hạn")), "int"),
        ],
        rows=[
            {
                "mission": r.mission.title,
                "unit": r.mission.unit.name,
                "from": r.from_name or r.get_from_party_display(),
                "to": r.to_name or r.get_to_party_display(),
                "content": r.content,
                "deadline": r.deadline,
                "days": (today - r.deadline).days if r.deadline else None,
            }
            for r in selectors.overdue(user, today)
        ],
    )


def recurring_themes(user: Any, params: ReportParams) -> dict[str, Any]:
    """Themes raised in missions of two or more different years (within the user's scope)."""
    return {"unit": params.unit.code, "rows": selectors.recurring_themes(user, within=params.unit)}


def recurring_themes_layout(data: dict[str, Any]) -> Report:
    """Declared layout (catalog.LAYOUTS)."""
    columns = [
        Column("label", str(_("Chủ đề"))),
        Column("years", str(_("Các năm"))),
        Column("units", str(_("Đơn vị"))),
        Column("missions", str(_("Số đoàn")), INT),
    ]
    return figures_report(
        data, [Figure("unit", _("Đơn vị"))], rows_table(_("Vấn đề lặp lại"), data.get("rows"), columns)
    )
