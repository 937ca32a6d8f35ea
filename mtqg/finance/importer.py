"""Import disbursements from an Excel statement (sao kê): one row per payment, all-or-nothing, with dry-run.

Columns (header row, Vietnamese or code names): ma_cong_trinh, nam, nguon, chuyen_nguon, ngay, so_tien, chung_tu.
Each row goes through `disbursement_record` (same checks, lock and audit as a single entry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.xlsx_import import import_rows, read_sheet

from .models import Source
from .services import disbursement_record, resolve_allocation

MAX_ROWS = 10_000  # lines of a statement, header included (decision 0902)

COLUMNS = {
    "ma_cong_trinh": "work_code",
    "mã công trình": "work_code",
    "nam": "year",
    "năm": "year",
    "nguon": "source",
    "nguồn vốn": "source",
    "nguồn": "source",
    "chuyen_nguon": "carry_over",
    "chuyển nguồn": "carry_over",
    "ngay": "paid_on",
    "ngày": "paid_on",
    "ngày giải ngân": "paid_on",
    "so_tien": "amount",
    "số tiền": "amount",
    "chung_tu": "reference",
    "chứng từ": "reference",
}
SOURCES = {s.value: s.value for s in Source} | {str(s.label).lower(): s.value for s in Source}


@dataclass
class ImportResult:
    rows: int = 0
    written: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False


def read_rows(fh: BinaryIO) -> list[dict[str, Any]]:
    """Rows as dicts keyed by column code. Raises TooManyRows (a ValidationError naming MAX_ROWS) while streaming
    when a sheet is longer, before openpyxl sizes or reads it; NotAWorkbook when it is no xlsx file."""
    rows = read_sheet(fh, MAX_ROWS)
    if not rows:
        return []
    header = [COLUMNS.get(str(h or "").strip().lower(), "") for h in rows[0]]
    return [
        {k: v for k, v in zip(header, r, strict=False) if k}
        for r in rows[1:]
        if any(c is not None for c in r)
    ]


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({"paid_on": _("Ngày không hợp lệ: %(v)s") % {"v": text}})


def _disbursement(actor: Any, row: dict[str, Any]) -> None:
    source = SOURCES.get(str(row.get("source") or "").strip().lower())
    if source is None:
        raise ValidationError({"source": _("Nguồn vốn không hợp lệ: %(v)s") % {"v": row.get("source")}})
    try:
        year = int(row.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("Năm không hợp lệ.")})
    carry = str(row.get("carry_over") or "").strip().lower() in {"1", "x", "có", "co", "true"}
    alloc = resolve_allocation(
        user=actor, work_code=str(row.get("work_code") or ""), year=year, source=source, carry_over=carry
    )
    disbursement_record(
        actor=actor,
        allocation=alloc,
        paid_on=_day(row.get("paid_on")),
        amount=row.get("amount"),
        reference=str(row.get("reference") or ""),
    )


def disbursements_import(*, actor: Any, rows: list[dict[str, Any]], dry_run: bool = False) -> ImportResult:
    """All rows or none: any error rolls everything back; dry_run always rolls back and reports what would happen."""
    result = ImportResult(rows=len(rows), dry_run=dry_run)

    def handle(row: dict[str, Any]) -> None:
        _disbursement(actor, row)
        result.written += 1

    result.errors = import_rows(enumerate(rows, start=2), handle, dry_run=dry_run, sep=" ")
    if result.errors:
        result.written = 0
    return result
