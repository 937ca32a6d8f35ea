"""Small template helpers of the dashboards and the portal. The tables are built in Python (one pass, escaped):
a dashboard holds ~1.500 cells and the template language spent most of a page's render time on them."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi, percent_vi

register = template.Library()


@register.filter
def cell(row: dict[str, Any], key: str) -> Any:
    """row[key] for a table row dict."""
    return row.get(key) if isinstance(row, dict) else None


def cell_text(value: Any, kind: str) -> str:
    """A cell as shown: Vietnamese numbers and percentages, "—" for nothing."""
    if kind == "percent":
        return percent_vi(value)
    if kind in ("int", "money"):
        return number_vi(value)
    if kind == "decimal":
        return "—" if value is None else number_vi(value, 1)
    return "—" if value is None or value == "" else str(value)


@register.simple_tag
def dash_table(table: Any) -> SafeString:
    """A core.tables.Table as a Bootstrap table with its caption and notes."""
    right = ' class="text-end"'
    head = "".join(
        f'<th scope="col"{right if c.kind != "text" else ""}>{conditional_escape(c.label)}</th>'
        for c in table.columns
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f"<td{right if c.kind != 'text' else ''}>{conditional_escape(cell_text(row.get(c.key), c.kind))}</td>"
            for c in table.columns
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(
            f'<tr><td colspan="{len(table.columns)}" class="text-muted">{conditional_escape(_("Chưa có số liệu."))}</td></tr>'
        )
    notes = "".join(f'<p class="small text-muted mb-1">{conditional_escape(n)}</p>' for n in table.notes)
    return mark_safe(  # noqa: S308 (every value above is escaped)
        '<div class="table-responsive"><table class="table table-sm table-striped align-middle mb-1">'
        f'<caption class="caption-top small text-muted">{conditional_escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{notes}"
    )


@register.simple_tag
def units_table(rows: list[dict[str, Any]], title: str, query: str) -> SafeString:
    """The units under a dashboard (name linking to its dashboard, NTM status, criteria, poverty, disbursement)."""
    base = reverse("dashboards:unit", args=[0]).replace("/0/", "/")
    suffix = f"?{query}" if query else ""
    out = []
    for r in rows:
        parent = (
            format_html('<br><small class="text-muted">{}</small>', r["parent"]) if r.get("parent") else ""
        )
        criteria = "—" if r.get("criteria") is None else number_vi(r["criteria"], 1)
        out.append(
            format_html(
                '<tr><td><a href="{}{}/{}">{}</a>{}</td><td>{}</td><td class="text-end">{}</td>'
                '<td class="text-end">{}</td><td class="text-end">{}</td></tr>',
                base,
                r["id"],
                suffix,
                r["name"],
                parent,
                r["status"],
                criteria,
                percent_vi(r.get("poverty_rate")),
                percent_vi(r.get("disbursement_rate")),
            )
        )
    head = "".join(
        f'<th scope="col"{cls}>{conditional_escape(label)}</th>'
        for label, cls in (
            (_("Đơn vị"), ""),
            (_("Nông thôn mới"), ""),
            (_("Tiêu chí"), ' class="text-end"'),
            (_("Hộ nghèo"), ' class="text-end"'),
            (_("Giải ngân"), ' class="text-end"'),
        )
    )
    return mark_safe(  # noqa: S308 (format_html / escaped above)
        '<table class="table table-sm table-hover table-sticky align-middle">'
        f'<caption class="caption-top small text-muted">{conditional_escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(out)}</tbody></table>"
    )
