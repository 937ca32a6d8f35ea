"""A report's tables: `Table(title, columns, rows)` with each `Column` declaring its kind and label; the writers format
by the declared kind, never by the key's name. XLSX here; DOCX/PDF (and the report's other blocks) in
mtqg/reports/document.py and writers.py."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .indicators import NO_DATA

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Column kinds: how a value is written (XLSX number format, Vietnamese text in DOCX/PDF/screens).
TEXT = "text"
INT = "int"  # a count: 1.234
DECIMAL = "decimal"  # 1.234,56
PERCENT = "percent"  # held in percentage points (69.06), shown 69,06%
MONEY = "money"  # whole VND: 1.689.000.000.000
DATE = "date"  # a date or its ISO text, shown 31/01/2024
KINDS = (TEXT, INT, DECIMAL, PERCENT, MONEY, DATE)
NUMERIC_KINDS = (INT, DECIMAL, PERCENT, MONEY)


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT  # one of KINDS

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.key!r}")


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    sheet_name: str = ""  # a chosen short sheet name; default: made from the title by sheet_title()
    annex: bool = False  # printed in the document's annex (PHỤ LỤC), after the body


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (formula injection). THE escaping function: every XLSX and CSV
    writer passes every text it writes — titles, headers, values, notes — through it (decision 0911; the test
    `reliability_tests/test_export_formulas.py` enumerates the writers)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """The inverse of safe_cell for a text read back from one of our own templates (so a note survives a
    download → upload round trip unchanged)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


NUMBER_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "percent": "0.00%",  # the cell holds the fraction (0,7291); Excel/LibreOffice show 72,91% in a vi locale
    "money": "#,##0",
    "date": "DD/MM/YYYY",
}

SHEET_NAME_MAX = 31  # Excel's limit
SHEET_BAD = re.compile(r"[\[\]\*\?/\\:]")
SHEET_LABEL = re.compile(r"^(Biểu|Bảng|Phụ lục|Mẫu|Phần)\s+([0-9IVXLivxl]+[a-z]?)\s*[.:–-]\s*", re.IGNORECASE)
# Deliberate short forms for sheet names only (the full title stays in cell A1). Applied in this order, whole
# words, any case, when a name is longer than 31 characters.
SHEET_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Chương trình mục tiêu quốc gia", "CTMTQG"),
    ("các Chương trình MTQG", "CTMTQG"),
    ("mục tiêu quốc gia", "MTQG"),
    ("xây dựng nông thôn mới", "XD NTM"),
    ("nông thôn mới", "NTM"),
    ("giảm nghèo bền vững", "GNBV"),
    ("phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi", "DTTS&MN"),
    ("dân tộc thiểu số", "DTTS"),
    ("ngân sách trung ương", "NSTW"),
    ("ngân sách địa phương", "NSĐP"),
    ("giải ngân", "GN"),
    ("chương trình", "CT"),
    ("kế hoạch vốn", "KHV"),
    ("kế hoạch", "KH"),
    ("kết quả", "KQ"),
    ("nhóm số tiêu chí", "nhóm TC"),
    ("tiêu chí", "TC"),
    ("so với", "so"),
    ("trắng về", "trắng"),
    ("đài truyền thanh", "ĐTT"),
    ("sóng điện thoại di động", "sóng DĐ"),
    ("tổng hợp", "TH"),
    ("hộ cận nghèo", "hộ CN"),
)


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A sheet name of at most 31 characters made on purpose from a long title: 'Biểu 2. Giải ngân theo
    chương trình' → 'Biểu 2 - GN theo CT'. Label 'Biểu n.' becomes 'Biểu n -', the short forms above are
    applied when the title is too long, and any remaining cut falls between words (marked '…'). Names already in
    `used` (lower case) get ' (2)', ' (3)'…; the chosen name is added to `used`."""
    used = used if used is not None else set()
    name = " ".join(SHEET_BAD.sub("-", title or "").split()).strip("'")
    name = SHEET_LABEL.sub(lambda m: f"{m.group(1)} {m.group(2)} - ", name)
    if len(name) > SHEET_NAME_MAX:
        for phrase, short in SHEET_ABBREVIATIONS:
            name = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", short, name, flags=re.IGNORECASE)
        if len(name) > SHEET_NAME_MAX:  # a trailing "(31-12-2023)" is the first thing to go
            name = re.sub(r"\s*\([^()]*\)$", "", name)
    name = _cut_words(name, SHEET_NAME_MAX) or "Bảng"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _cut_words(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _cut_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    words = text[: limit - 1].split(" ")
    if len(words) > 1:
        words = words[:-1]  # the last word was cut in the middle: leave it out
    return " ".join(words).rstrip(" -,.;") + "…"


@dataclass(frozen=True)
class Typed:
    """A cell whose kind differs from its column's (key/value tables: each row its own kind)."""

    value: Any
    kind: str


def _cell(value: Any, kind: str) -> tuple[Any, str | None]:
    """The value to store and its number format; rates (in percentage points in the app) become fractions."""
    if isinstance(value, Typed):
        return _cell(value.value, value.kind)
    value = safe_cell(value)
    if kind == "percent" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = float(Decimal(str(value)) / 100)
    return value, NUMBER_FORMATS.get(kind)


def _no_data(column: Column) -> str | None:
    return str(NO_DATA) if column.kind in NUMERIC_KINDS else None


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table (named by `sheet_title`, the full title in A1), header styled, numbers typed with a
    format (Excel and LibreOffice show them in the reader's locale: 1.234.567 and 72,91% in Vietnamese)."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)  # type: ignore[arg-type,unused-ignore]
    used: set[str] = set()
    for i, table in enumerate(tables):
        ws = wb.create_sheet(title=sheet_title(table.sheet_name or table.title or f"Bảng {i + 1}", used))
        ws.append([safe_cell(table.title)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([safe_cell(c.label) for c in table.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        # a missing number reads "chưa có số liệu", never an empty cell taken for 0 (0016)
        for r, row in enumerate(table.rows, start=3):
            for c, col in enumerate(table.columns, start=1):
                raw = row.get(col.key)
                value, fmt = (_no_data(col), None) if raw is None else _cell(raw, col.kind)
                target = ws.cell(row=r, column=c, value=value)
                if fmt:
                    target.number_format = fmt
        for idx, col in enumerate(table.columns, start=1):
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = max(12, min(50, len(col.label) + 4))
        for note in table.notes:
            ws.append([])
            ws.append([safe_cell(note)])
        ws.freeze_panes = "A3"
    return workbook_bytes(wb)


def workbook_bytes(wb: Workbook) -> bytes:
    """An openpyxl workbook saved as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An XLSX workbook as a download named `filename`."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
