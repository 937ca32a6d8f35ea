"""The Excel template of a report (download) and its import back, with a dry run and per-cell errors.

Layout of the sheet "So lieu": A1 report id, B1 version it was downloaded at (the optimistic lock), row 3 headers,
rows 4.. one indicator each: A code, B label, C value, D note. The import goes through report_save_values, so the
rules, the lock and the version check are the same as on screen; a dry run checks everything and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.protection import SheetProtection

from mtqg.core.tables import safe_cell, unescape_cell
from mtqg.core.xlsx_import import read_sheet

from . import services
from .calendar import indicator_labels
from .models import Report

SHEET = "So lieu"
FIRST_ROW = 4
MAX_ROWS = 1_000  # a report type has tens of indicators; header rows included (decision 0902)


def template_xlsx(report: Report) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"], ws["B1"] = report.pk, report.version
    ws["C1"] = safe_cell(f"{report.report_type.name} — {report.unit.name} — {report.period.label}")
    ws["A2"] = _("Không sửa ô A1, B1 và cột A. Nhập số vào cột C (giá trị), ghi chú vào cột D.")
    headers = [_("Mã chỉ tiêu"), _("Chỉ tiêu"), _("Giá trị"), _("Ghi chú")]
    for col, text in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=text).font = Font(bold=True)
    stored = {v.code: v for v in report.values.all()}
    labels = indicator_labels()
    for i, code in enumerate(report.report_type.indicators):
        row = FIRST_ROW + i
        current = stored.get(code)
        ws.cell(row=row, column=1, value=safe_cell(code))
        ws.cell(row=row, column=2, value=safe_cell(labels.get(code, code)))
        ws.cell(row=row, column=3, value=safe_cell(current.value if current else None))
        ws.cell(row=row, column=4, value=safe_cell(current.note if current else ""))
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 20
    ws.column_dimensions["D"].width = 40
    ws.protection = SheetProtection(sheet=False)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {cell, code, message}
    saved: bool = False
    values: dict[str, Any] = field(default_factory=dict)


def _cell_of(codes: dict[str, int], code: str, column: str = "C") -> str:
    return f"{column}{codes[code]}" if code in codes else ""


def import_xlsx(*, actor: Any, report: Report, data: bytes, dry_run: bool) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_sheet(data, MAX_ROWS, sheet=SHEET)
    except ValidationError as exc:  # TooManyRows / TooLarge (the message names the limit), NotAWorkbook
        result.errors.append({"cell": "", "code": "", "message": exc.messages[0]})
        return result
    head = rows[0] if rows else ()
    if not head or str(head[0]) != str(report.pk):
        result.errors.append(
            {"cell": "A1", "code": "", "message": _("Tệp không phải mẫu của báo cáo này (ô A1).")}
        )
        return result
    try:
        version = int(str(head[1]))
    except (TypeError, ValueError):
        result.errors.append({"cell": "B1", "code": "", "message": _("Thiếu phiên bản của mẫu (ô B1).")})
        return result
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    where: dict[str, int] = {}
    for number, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        code = str(row[0]).strip() if row and row[0] is not None else ""
        if not code:
            continue
        where[code] = number
        raw = row[2] if len(row) > 2 else None
        if isinstance(raw, bool):
            values[code] = str(raw)
        elif isinstance(raw, float):
            values[code] = Decimal(repr(raw))
        else:
            values[code] = raw  # int, text in Vietnamese format ("1.234,5") or empty
        notes[code] = unescape_cell(str(row[3] or "").strip())[:300] if len(row) > 3 else ""
    result.rows = len(values)
    unknown = [c for c in values if c not in report.report_type.indicators]
    for code in unknown:
        result.errors.append(
            {"cell": f"A{where[code]}", "code": code, "message": _("Chỉ tiêu không thuộc báo cáo.")}
        )
    if unknown:
        return result
    result.values = values
    try:
        with transaction.atomic():
            services.report_save_values(
                actor=actor, report=report, values=values, version=version, notes=notes
            )
            if dry_run:
                transaction.set_rollback(True)
    except services.StaleVersion:
        result.errors.append(
            {
                "cell": "B1",
                "code": "",
                "message": _(
                    "Báo cáo đã thay đổi sau khi tải mẫu (phiên bản %(v)s). Hãy tải mẫu mới; dữ liệu trong tệp "
                    "của bạn không bị mất."
                )
                % {"v": version},
            }
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for code, messages in exc.message_dict.items():
                for m in messages:
                    result.errors.append({"cell": _cell_of(where, code), "code": code, "message": m})
        else:
            for m in exc.messages:
                result.errors.append({"cell": "", "code": "", "message": m})
    except PermissionDenied as exc:
        result.errors.append({"cell": "", "code": "", "message": str(exc)})
    else:
        result.saved = not dry_run
    return result
