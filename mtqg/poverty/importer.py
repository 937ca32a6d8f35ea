"""Bulk import of a review (CSV/XLSX, Vietnamese headers): streaming parse, per-row errors, staged batch,
maker-checker approval, atomic commit, idempotent re-import (existing reviews are kept, not duplicated)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import ensure_can_edit
from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion
from mtqg.geo.text import fold

from .models import Household, ImportBatch, PovertyStandard, Review
from .standards import MAX_INCOME, decide, standard_for

BASE_HEADERS = [
    "Mã hộ",
    "Mã xã",
    "Chủ hộ",
    "Địa chỉ",
    "Dân tộc",
    "Khu vực",
    "Thu nhập bình quân (đồng/người/tháng)",
]
AREA_VALUES = {
    "nông thôn": "rural",
    "nong thon": "rural",
    "rural": "rural",
    "thành thị": "urban",
    "thanh thi": "urban",
    "urban": "urban",
}
YES = {"1", "x", "có", "co", "true"}


def template_headers(standard: PovertyStandard) -> list[str]:
    return BASE_HEADERS + [i["name"] for i in standard.indicators]


def template_csv(year: int) -> bytes:
    return ("\ufeff" + ",".join(template_headers(standard_for(year))) + "\r\n").encode("utf-8")


def _rows(data: bytes, name: str) -> Iterator[list[str]]:
    if name.lower().endswith(".xlsx"):
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [
                "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in row
            ]
        return
    text = data.decode("utf-8-sig")
    yield from csv.reader(io.StringIO(text))


def validate_file(
    data: bytes, name: str, year: int, unit: UnitVersion
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(clean rows, errors [{line, field, message}]). Nothing is written."""
    standard = standard_for(year)
    headers = template_headers(standard)
    errors: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    try:
        it = _rows(data, name)
        header = [h.strip() for h in next(it, [])]
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        return [], [
            {
                "line": 1,
                "field": "",
                "message": _("Không đọc được tệp (cần CSV UTF-8 hoặc XLSX): %(e)s") % {"e": exc},
            }
        ]
    if header != headers:
        missing = [h for h in headers if h not in header]
        return [], [
            {
                "line": 1,
                "field": "",
                "message": _("Tiêu đề cột không đúng mẫu. Thiếu hoặc sai: %(h)s")
                % {"h": ", ".join(missing) or _("thứ tự cột")},
            }
        ]
    on = date(year, 12, 31)
    from mtqg.accounts.scoping import path_q
    from mtqg.geo.selectors import lineage_scope_paths

    paths = tuple(
        lineage_scope_paths(unit) | {unit.path}
    )  # a 2025 province also covers its pre-2025 communes
    communes = {u.code: u for u in UnitVersion.objects.as_of(on).filter(path_q("path", paths), level=3)}
    seen: set[str] = set()
    codes = [i["code"] for i in standard.indicators]
    for line, raw in enumerate(it, start=2):
        if not any(c.strip() for c in raw):
            continue
        row_errors: list[tuple[str, str]] = []
        if len(raw) != len(headers):
            errors.append(
                {
                    "line": line,
                    "field": "",
                    "message": _("Dòng có %(n)s cột, cần %(m)s (tệp bị cắt?).")
                    % {"n": len(raw), "m": len(headers)},
                }
            )
            continue
        cells = [c.strip() for c in raw]
        for h, c in zip(headers, cells, strict=True):
            if c.startswith(("=", "+", "@")) or (c.startswith("-") and h != BASE_HEADERS[6]):
                row_errors.append((h, _("Ô chứa công thức, không được phép.")))
        code, commune_code, head, address, ethnicity, area_raw, income_raw = cells[:7]
        if not code:
            row_errors.append(("Mã hộ", _("Thiếu mã hộ.")))
        elif code in seen:
            row_errors.append(("Mã hộ", _("Mã hộ %(c)s trùng trong tệp.") % {"c": code}))
        seen.add(code)
        if commune_code not in communes:
            row_errors.append(
                ("Mã xã", _("Mã xã %(c)s không có trong đơn vị hoặc hết hiệu lực.") % {"c": commune_code})
            )
        if not head:
            row_errors.append(("Chủ hộ", _("Thiếu tên chủ hộ.")))
        area = AREA_VALUES.get(area_raw.lower())
        if area is None:
            row_errors.append(("Khu vực", _("Khu vực phải là 'nông thôn' hoặc 'thành thị'.")))
        try:
            income = Decimal(income_raw.replace(".", "").replace(",", ""))
            if income < 0 or income > MAX_INCOME:
                raise InvalidOperation
        except InvalidOperation:
            row_errors.append((BASE_HEADERS[6], _("Thu nhập phải là số nguyên đồng từ 0 đến 1.000.000.000.")))
            income = Decimal(0)
        deps = [c for c, v in zip(codes, cells[7:], strict=True) if v.lower() in YES]
        for message in row_errors:
            errors.append({"line": line, "field": message[0], "message": message[1]})
        if not row_errors:
            rows.append(
                {
                    "line": line,
                    "code": code,
                    "commune": communes[commune_code].pk,
                    "head": head,
                    "address": address,
                    "ethnicity": ethnicity,
                    "area": area,
                    "income": int(income),
                    "deprivations": deps,
                }
            )
    return rows, errors


def errors_csv(batch: ImportBatch) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Dòng"), _("Cột"), _("Lỗi")])
    for e in batch.errors:
        writer.writerow([e["line"], e["field"], e["message"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@transaction.atomic
def batch_stage(*, actor: Any, unit: UnitVersion, year: int, data: bytes, name: str) -> ImportBatch:
    """Dry run + staging: the batch keeps the clean rows (or the per-row errors). Nothing enters the register."""
    if actor is not None:
        ensure_can_edit(actor, unit.path)
    rows, errors = validate_file(data, name, year, unit)
    batch = ImportBatch.objects.create(
        unit=unit,
        year=year,
        file_name=name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        status=ImportBatch.Status.INVALID if errors else ImportBatch.Status.STAGED,
        row_count=len(rows) + len({e["line"] for e in errors}),
        error_count=len(errors),
        errors=errors,
        rows=[] if errors else rows,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_change(actor=actor, obj=batch, action="created", changes={"status": [None, batch.status]})
    return batch


@transaction.atomic
def batch_reject(*, actor: Any, batch: ImportBatch, reason: str) -> ImportBatch:
    ensure_can_edit(actor, batch.unit.path)
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Chỉ từ chối được lô đang chờ duyệt."))
    batch.status, batch.checked_by, batch.checked_at, batch.note = (
        ImportBatch.Status.REJECTED,
        actor,
        timezone.now(),
        reason[:255],
    )
    batch.save()
    record_change(
        actor=actor, obj=batch, action="rejected", changes={"status": ["staged", "rejected"]}, reason=reason
    )
    return batch


@transaction.atomic
def batch_approve(*, actor: Any, batch: ImportBatch) -> int:
    """Checker approves: all rows are committed in one transaction. Returns reviews created (0 on re-import)."""
    if actor is not None:
        ensure_can_edit(actor, batch.unit.path)
        if batch.created_by_id == actor.pk:
            raise PermissionDenied(_("Người duyệt phải khác người nhập (nguyên tắc hai người)."))
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Chỉ duyệt được lô đang chờ duyệt, không có lỗi."))
    standard = standard_for(batch.year)
    existing = dict(
        Household.objects.filter(code__in=[r["code"] for r in batch.rows]).values_list("code", "pk")
    )
    new = [
        Household(
            code=r["code"],
            commune_id=r["commune"],
            head_name=r["head"],
            head_search=fold(r["head"]),
            address=r["address"],
            ethnicity=r["ethnicity"],
            area=r["area"],
        )
        for r in batch.rows
        if r["code"] not in existing
    ]
    Household.objects.bulk_create(new, batch_size=5000)
    ids = dict(Household.objects.filter(code__in=[r["code"] for r in batch.rows]).values_list("code", "pk"))
    done = set(
        Review.objects.filter(
            household_id__in=ids.values(), year=batch.year, kind=Review.Kind.PERIODIC
        ).values_list("household_id", flat=True)
    )
    reviews = []
    for r in batch.rows:
        hid = ids[r["code"]]
        if hid in done:
            continue
        cls = decide(
            standard.lines[r["area"]], standard.deprivation_cutoff, r["income"], len(r["deprivations"])
        )
        reviews.append(
            Review(
                household_id=hid,
                commune_id=r["commune"],
                year=batch.year,
                area=r["area"],
                income_per_capita_month=r["income"],
                deprivations=r["deprivations"],
                deprivation_count=len(r["deprivations"]),
                standard=standard,
                poverty_class=cls,
                batch=batch,
            )
        )
    Review.objects.bulk_create(reviews, batch_size=5000)
    batch.status, batch.checked_at = ImportBatch.Status.COMMITTED, timezone.now()
    batch.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    batch.save()
    record_change(
        actor=actor,
        obj=batch,
        action="committed",
        changes={
            "status": ["staged", "committed"],
            "reviews": [0, len(reviews)],
            "households": [0, len(new)],
        },
    )
    return len(reviews)
