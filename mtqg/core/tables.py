"""Reports return a Table (rows); writers render it. XLSX here; DOCX/PDF writers live with the reports."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | decimal | percent | money | date


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


NUMBER_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "percent": "0.00",
    "money": "#,##0",
    "date": "DD/MM/YYYY",
}


def _no_data(column: Column) -> str | None:
    from .indicators import NO_DATA

    return str(NO_DATA) if column.kind in ("int", "decimal", "percent", "money") else None


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, header styled, numbers typed (Excel shows them in the reader's locale)."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)  # type: ignore[arg-type,unused-ignore]
    for i, table in enumerate(tables):
        ws = wb.create_sheet(title=(table.title[:28] or f"Bang {i + 1}").replace("/", "-"))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([c.label for c in table.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for (
            row
        ) in table.rows:  # a missing number reads "chưa có số liệu", never an empty cell taken for 0 (0016)
            ws.append(
                [_no_data(c) if row.get(c.key) is None else safe_cell(row.get(c.key)) for c in table.columns]
            )
        for idx, col in enumerate(table.columns, start=1):
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = max(12, min(50, len(col.label) + 4))
            fmt = NUMBER_FORMATS.get(col.kind)
            if fmt:
                for cell in ws[letter][2:]:
                    cell.number_format = fmt
        for note in table.notes:
            ws.append([])
            ws.append([safe_cell(note)])
        ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
