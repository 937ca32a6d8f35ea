"""The typed output of a report: a `Report` holds the JSON-ready figures (`data`: what the API, the command and a
signed snapshot keep, keys unchanged) and the blocks the writers render (`Heading`, `Paragraph`, `Table`, `Chart`).

A table declares its columns: key, Vietnamese label (gettext, English in django.po) and kind (core.tables KINDS) —
the writers format by the declared kind, never by the key's name (as pretix's exporters yield their headers with
their rows). A figure report declares its layout once, a pure function of its data (`layout(data) -> Report`, listed
in `catalog.LAYOUTS`), so a snapshot signed last year re-renders from its stored figures. A document report (the
briefing, the review results) carries its blocks in its data; `document_report(data)` reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from mtqg.core.tables import TEXT, Column, Table, Typed


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass
class Chart:
    """A bar chart drawn by reports/charts.py (SVG on screens and in PDF, PNG in DOCX)."""

    title: str
    labels: list[str]
    series: list[dict[str, Any]]  # [{"name": str, "values": [number | None]}]
    unit: str = ""
    decimals: int = 0


Block = Heading | Paragraph | Table | Chart


class Report:
    """What a report is once laid out. `document` is the official-document header (issuer, number, place and date,
    kind, title, subtitle, recipients, signer: Nghị định 30/2020/NĐ-CP layout); empty for a plain report, which the
    writers head with `title` (unless `headed` is False: a document report writes its own headings). A block given
    as None (a table with no row) is left out."""

    def __init__(
        self,
        data: Any,
        blocks: Iterable[Block | None],
        title: str = "",
        document: dict[str, Any] | None = None,
        headed: bool = True,
    ) -> None:
        self.data = data
        self.blocks: list[Block] = [b for b in blocks if b is not None]
        self.title = title
        self.document: dict[str, Any] = document or {}
        self.headed = headed

    def as_dict(self) -> Any:
        """The JSON-ready figures (a dict, or a list for a list report): the same keys as before blocks existed."""
        return self.data

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass(frozen=True)
class Figure:
    """One line of a figures table: the value at `path` (dotted keys) in the data, its label and kind."""

    path: str
    label: str
    kind: str = TEXT


def value_at(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def figures_table(title: str, data: Any, figures: Sequence[Figure]) -> Table:
    """A "Chỉ tiêu / Giá trị" table: each line its own kind (a rate, an amount, a date…)."""
    rows = [{"label": str(f.label), "value": Typed(value_at(data, f.path), f.kind)} for f in figures]
    return Table(
        title=title,
        columns=[Column("label", str(_("Chỉ tiêu"))), Column("value", str(_("Giá trị")))],
        rows=rows,
    )


def rows_table(title: str, rows: Iterable[dict[str, Any]] | None, columns: Sequence[Column]) -> Table | None:
    """A table of `rows` with the declared columns; None (left out) when there is no row."""
    rows = list(rows or [])
    return Table(title=str(title), columns=list(columns), rows=rows) if rows else None


def unit_figures() -> list[Figure]:
    """The two lines a figure report about a unit starts with: the unit's code and name (data["unit"])."""
    return [Figure("unit.code", _("Mã đơn vị")), Figure("unit.name", _("Đơn vị"))]


def figures_report(
    data: Any, figures: Sequence[Figure], *blocks: Block | None, notes: Iterable[Any] = ()
) -> Report:
    """The usual layout of a figure report: its figures as the "Chỉ tiêu" table (with `notes` under it), then its
    other blocks (a table with no row, given as None, is left out)."""
    table = figures_table(_("Chỉ tiêu"), data, figures)
    table.notes = [str(n) for n in notes]
    return Report(data, [table, *blocks])


# -----------------------------------------------------------------------------------------------------------------
# Blocks as JSON (a document report keeps its blocks in its data) and back
# -----------------------------------------------------------------------------------------------------------------


def block_as_dict(block: Block) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"type": "heading", "text": block.text, "level": block.level}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text}
    if isinstance(block, Chart):
        chart: dict[str, Any] = {"type": "chart", "title": block.title, "labels": block.labels}
        chart.update(series=block.series, unit=block.unit)
        if block.decimals:
            chart["decimals"] = block.decimals
        return chart
    out: dict[str, Any] = {
        "type": "table",
        "title": block.title,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in block.columns],
        "rows": list(block.rows),
    }
    if block.notes:
        out["notes"] = list(block.notes)
    if block.annex:
        out["annex"] = True
    return out


def block_from_dict(raw: dict[str, Any]) -> Block:
    kind = raw.get("type")
    if kind == "heading":
        return Heading(str(raw.get("text", "")), int(raw.get("level", 1)))
    if kind == "paragraph":
        return Paragraph(str(raw.get("text", "")))
    if kind == "chart":
        return Chart(
            title=str(raw.get("title", "")),
            labels=list(raw.get("labels", [])),
            series=list(raw.get("series", [])),
            unit=str(raw.get("unit", "")),
            decimals=int(raw.get("decimals", 0)),
        )
    if kind == "table":
        return Table(
            title=str(raw.get("title", "")),
            columns=[Column(c["key"], str(c["label"]), c.get("kind", TEXT)) for c in raw["columns"]],
            rows=list(raw.get("rows", [])),
            notes=list(raw.get("notes", [])),
            annex=bool(raw.get("annex")),
        )
    raise ValueError(f"unknown block type {kind!r}")


def document_report(data: dict[str, Any], title: str = "") -> Report:
    """A report whose data carries its own `blocks` (and `document` header) as JSON."""
    blocks = [block_from_dict(b) for b in data.get("blocks") or []]
    return Report(
        data=data, blocks=blocks, title=title, document=dict(data.get("document") or {}), headed=False
    )
