"""Import unit classifications from CSV: dry-run first, every bad row reported, all-or-nothing commit."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.formatting import number_vi

from .models import ClassificationScheme, UnitClassification
from .selectors import UnitNotFound, unit_by_code

MAX_ROWS = 50_000  # data rows per file (decision 0903)
MAX_ERRORS = 1_000  # errors kept and printed; the count covers them all
HEADERS = ["scheme", "unit_code", "value", "valid_from", "valid_to", "legal_basis", "unconfirmed"]

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0  # bad rows, including those beyond the MAX_ERRORS kept
    to_write: list[UnitClassification] = field(default_factory=list)
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Ngày '%(d)s' không hợp lệ (dd/mm/yyyy).") % {"d": text})


def parse(content: bytes | IO[bytes]) -> ImportReport:
    """Validate every row, streaming; nothing is written. A file longer than MAX_ROWS data rows is refused at
    row MAX_ROWS + 1 (a country has ≈ 14.000 units per structure); only the first MAX_ERRORS errors are kept."""
    report = ImportReport()
    source: IO[bytes] = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    start = source.tell()
    try:  # the encoding of the first MiB is checked before anything else is said about the file
        head = source.read(1 << 20)
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < 1 << 20)
    except UnicodeDecodeError:
        report.errors.append((0, _("Tệp không phải mã UTF-8.")))
        return report
    source.seek(start)
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text)
        missing = [h for h in HEADERS[:4] if h not in (reader.fieldnames or [])]
        if missing:
            report.errors.append((1, _("Thiếu cột: %(c)s.") % {"c": ", ".join(missing)}))
            return report
        schemes = {s.code: s for s in ClassificationScheme.objects.all()}
        for line, row in enumerate(reader, start=2):
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.errors.append(
                    (
                        line,
                        _("Tệp có quá nhiều dòng: tối đa %(n)s dòng dữ liệu; không dòng nào được ghi.")
                        % {"n": number_vi(MAX_ROWS)},
                    )
                )
                break
            try:
                report.to_write.append(_row(row, schemes))
            except (ValueError, UnitNotFound) as exc:
                report.error_count += 1
                if len(report.errors) < MAX_ERRORS:
                    report.errors.append((line, str(exc)))
    except UnicodeDecodeError:
        report.errors.append((0, _("Tệp không phải mã UTF-8.")))
        return report
    except csv.Error as exc:
        logger.info("unit file unreadable: %s", exc)
        report.errors.append((0, _("Không đọc được tệp CSV: tệp bị hỏng hoặc không đúng định dạng CSV.")))
        return report
    finally:
        text.detach()
    if report.rows == 0:
        report.errors.append((1, _("Tệp không có dòng dữ liệu nào.")))
    return report


def _row(row: dict[str, Any], schemes: dict[str, ClassificationScheme]) -> UnitClassification:
    scheme = schemes.get((row.get("scheme") or "").strip())
    if scheme is None:
        raise ValueError(_("Danh mục phân loại '%(s)s' không tồn tại.") % {"s": row.get("scheme")})
    value = (row.get("value") or "").strip()
    if value not in scheme.values:
        raise ValueError(_("Giá trị '%(v)s' không thuộc danh mục %(s)s.") % {"v": value, "s": scheme.name})
    start, end = _date(row.get("valid_from") or ""), _date(row.get("valid_to") or "")
    if start and end and end < start:
        raise ValueError(_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    unit = unit_by_code(
        (row.get("unit_code") or "").strip(), start or end or date.today(), level=scheme.applies_to_level
    )
    return UnitClassification(
        unit=unit,
        scheme=scheme,
        value=value,
        valid_from=start,
        valid_to=end,
        legal_basis=(row.get("legal_basis") or "").strip()[:255],
        unconfirmed=(row.get("unconfirmed") or "").strip().lower() in {"1", "x", "true", "có"},
    )


@transaction.atomic
def commit(report: ImportReport, *, actor: Any = None) -> int:
    """Write a fully valid report (upsert on unit, scheme, start); refuses if any row is bad."""
    if not report.ok:
        raise ValueError(_("Tệp còn lỗi, không ghi dữ liệu."))
    for entry in report.to_write:
        UnitClassification.objects.update_or_create(
            unit=entry.unit,
            scheme=entry.scheme,
            valid_from=entry.valid_from,
            defaults={
                "value": entry.value,
                "valid_to": entry.valid_to,
                "legal_basis": entry.legal_basis,
                "unconfirmed": entry.unconfirmed,
            },
        )
    if report.to_write:
        record_change(
            actor=actor,
            obj=report.to_write[0].scheme,
            action="imported",
            changes={"rows": [None, len(report.to_write)]},
            unit_path="",
        )
    report.written = len(report.to_write)
    return report.written
