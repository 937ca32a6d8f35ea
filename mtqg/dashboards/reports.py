"""Report functions listed in mtqg/reports/catalog.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.tables import DECIMAL, INT, PERCENT, TEXT, Column, Table
from mtqg.reports.document import Figure, Report, figures_report, rows_table, unit_figures
from mtqg.reports.params import ReportParams

from . import panels
from .selectors import CURRENT, REPORTED, default_year


def jsonable(data: dict[str, Any], children: dict[str, Any] | None = None) -> dict[str, Any]:
    f: panels.Filters = data["filters"]
    out: dict[str, Any] = {
        "unit": {"id": f.unit.pk, "code": f.unit.code, "name": f.unit.name, "structure": f.unit.structure},
        "year": f.year,
        "period_note": str(data.get("period_note") or "") or None,
        "program": f.program,
        "mode": f.mode,
        "boundary": data["boundary"],
        "computed_at": data["computed_at"].isoformat() if data["computed_at"] else None,
        "refresh_pending": data["pending"],
        "figures": data["figures"],
        "charts": [
            {
                "id": c["id"],
                "title": c["title"],
                "categories": c["categories"],
                "series": c["series"],
                "columns": [
                    {"key": col.key, "label": str(col.label), "kind": col.kind} for col in c["table"].columns
                ],
                "rows": list(c["table"].rows),
                "notes": [str(n) for n in c["table"].notes],
            }
            for c in data["charts"]
        ],
    }
    if children is not None:
        out["units"] = children["rows"]
    return out


def dashboard(user: Any, params: ReportParams) -> dict[str, Any]:
    """`dashboard`: key figures and every chart's table for a unit and year (`--bands` unused;
    extra: program, mode)."""
    mode = params.extra.get("mode") or REPORTED
    f = panels.Filters(
        unit=params.unit,
        year=params.year or default_year(user, params.unit) or timezone.localdate().year,
        program=params.extra.get("program") or "",
        mode=mode if mode in (REPORTED, CURRENT) else REPORTED,
        defaulted=not params.year,
    )
    return jsonable(panels.dashboard(user, f), panels.children(user, f))


def dashboard_layout(data: dict[str, Any]) -> Report:
    """Declared layout (catalog.LAYOUTS): the key figures, then every chart's own table (its columns declared by the
    panel that draws it), then the units under the unit."""
    figures = [
        *unit_figures(),
        Figure("year", _("Năm")),
        Figure("period_note", _("Ghi chú kỳ số liệu")),
        Figure("program", _("Chương trình")),
        Figure("boundary", _("Địa giới")),
    ]
    key_figures = [
        Column("label", _("Chỉ tiêu")),
        Column("value", _("Giá trị")),
        Column("change", _("Thay đổi")),
        Column("target", _("Mục tiêu")),
        Column("basis", _("Căn cứ")),
    ]
    charts: list[Table | None] = []
    for chart in data.get("charts") or []:
        table = rows_table(
            chart.get("title", ""),
            chart.get("rows"),
            [Column(c["key"], str(c["label"]), c.get("kind", TEXT)) for c in chart.get("columns") or []],
        )
        if table is not None:
            table.notes = [str(n) for n in chart.get("notes") or []]
        charts.append(table)
    units = [
        Column("code", _("Mã")),
        Column("name", _("Tên")),
        Column("parent", _("Trực thuộc")),
        Column("status", _("Tình trạng")),
        Column("communes", _("Số xã"), INT),
        Column("recognised", _("Xã đạt chuẩn NTM"), INT),
        Column("recognised_rate", _("Tỷ lệ xã đạt chuẩn (%)"), PERCENT),
        Column("criteria", _("Số tiêu chí bình quân/xã"), DECIMAL),
        Column("households", _("Số hộ"), INT),
        Column("poverty_rate", _("Tỷ lệ hộ nghèo (%)"), PERCENT),
        Column("disbursement_rate", _("Tỷ lệ giải ngân (%)"), PERCENT),
        Column("p135_label", _("Chương trình 135")),
        Column("p30a_label", _("Huyện nghèo (30a)")),
    ]
    return figures_report(
        data,
        figures,
        rows_table(_("Số liệu chính"), data.get("figures"), key_figures),
        *charts,
        rows_table(_("Đơn vị trực thuộc"), data.get("units"), units),
    )
