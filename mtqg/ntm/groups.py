"""QĐ 51/2025 commune groups (nhóm 1/2/3): the rule as far as known, assignment by a provincial decision (screen and
Excel), counts of communes without a group (decision record 0110).

Rule (ntm-thresholds-by-region.md F7-F8): nhóm 3 = xã khu vực II and III of the EM & mountainous area (zoning by
the competent authority); nhóm 1 = adjacent to an existing urban area with urban orientation, or agriculture < 10 %
of the economy, or oriented to become a new urban area; nhóm 2 = the rest. Only nhóm 3 can be suggested from data
(the `em_region` classification); nhóm 1/2 need the province's decision.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.tables import safe_cell
from mtqg.core.xlsx_import import NotAWorkbook, read_sheet
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion

from .models import CommuneGroupDecision

SCHEME = "commune_group_2026"
GROUPS = ("1", "2", "3")
GROUPS_START = date(2026, 2, 15)  # QĐ 51/2025/QĐ-TTg takes effect
HEADER = ["ma_xa", "ten_xa", "nhom", "goi_y"]
MAX_ROWS = 2_000


def suggested_groups(commune_ids: list[int], on: date) -> dict[int, str]:
    """Nhóm 3 where the commune is khu vực II or III on the date (the only part of the rule data can decide)."""
    rows = UnitClassification.objects.as_of(on).filter(
        unit_id__in=commune_ids, scheme__code="em_region", value__in=["II", "III"]
    )
    return dict.fromkeys(rows.values_list("unit_id", flat=True), "3")


def groups_on(commune_ids: list[int], on: date) -> dict[int, UnitClassification]:
    rows = UnitClassification.objects.as_of(on).filter(unit_id__in=commune_ids, scheme__code=SCHEME)
    return {r.unit_id: r for r in rows.order_by("valid_from")}


def province_groups(province: UnitVersion, on: date) -> list[dict[str, Any]]:
    """One row per xã of the province valid on the date: current group and its basis, suggestion."""
    communes = list(
        UnitVersion.objects.as_of(on)
        .filter(
            path__startswith=province.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
        )
        .order_by("code")
    )
    ids = [c.pk for c in communes]
    current = groups_on(ids, on)
    suggested = suggested_groups(ids, on)
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "group": current[c.pk].value if c.pk in current else "",
            "basis": current[c.pk].legal_basis if c.pk in current else "",
            "unconfirmed": current[c.pk].unconfirmed if c.pk in current else False,
            "suggested": suggested.get(c.pk, ""),
        }
        for c in communes
    ]


def communes_without_group(prefix: str, on: date) -> tuple[int, int]:
    """(xã without a group, xã) valid on a date under a path prefix — for dashboards and summaries."""
    communes = UnitVersion.objects.as_of(on).filter(
        path__startswith=prefix, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
    )
    grouped = UnitClassification.objects.as_of(on).filter(scheme__code=SCHEME).values("unit_id")
    total = communes.count()
    return communes.exclude(pk__in=grouped).count(), total


@transaction.atomic
def commune_groups_assign(
    *,
    actor: Any,
    province: UnitVersion,
    groups: dict[str, str],
    decision_no: str,
    decision_date: date | None,
    issuer: str,
    valid_from: date | None = None,
) -> CommuneGroupDecision:
    """Assign groups {commune code: '1'|'2'|'3'} by one provincial decision. Every error (no decision, a unit that
    is not a xã of the province or not valid on the date, a bad group) → ValidationError listing them all;
    nothing is written. An earlier group of the commune ends the day before."""
    ensure_can_edit(actor, province.path)
    errors: list[str] = []
    decision_no = (decision_no or "").strip()
    issuer = (issuer or "").strip()
    if not decision_no:
        errors.append(_("Thiếu số quyết định phân nhóm xã."))
    if decision_date is None:
        errors.append(_("Thiếu ngày quyết định phân nhóm xã."))
    if not issuer:
        errors.append(_("Thiếu cơ quan ban hành quyết định."))
    start = valid_from or max(decision_date or GROUPS_START, GROUPS_START)
    if start < GROUPS_START:
        errors.append(_("Nhóm xã theo QĐ 51/2025/QĐ-TTg chỉ áp dụng từ 15/02/2026."))
    if not groups:
        errors.append(_("Chưa có xã nào được phân nhóm."))
    units = {
        u.code: u
        for u in UnitVersion.objects.filter(
            path__startswith=province.path, code__in=[c.strip() for c in groups]
        )
    }
    wanted: list[tuple[UnitVersion, str]] = []
    for code, group in groups.items():
        unit = units.get(code.strip())
        group = str(group).strip()
        if unit is None:
            errors.append(
                _("Mã %(code)s không phải đơn vị thuộc %(p)s.") % {"code": code, "p": province.name}
            )
        elif unit.level != UnitVersion.Level.COMMUNE or unit.kind != UnitVersion.Kind.COMMUNE:
            errors.append(
                _("%(name)s (%(code)s) không phải xã: chỉ phân nhóm cho xã.")
                % {"name": unit.name, "code": code}
            )
        elif not unit.valid_on(start):
            errors.append(
                _("Xã %(name)s (%(code)s) không còn hiệu lực ngày %(date)s.")
                % {"name": unit.name, "code": code, "date": start.strftime("%d/%m/%Y")}
            )
        elif group not in GROUPS:
            errors.append(
                _("Xã %(code)s: nhóm phải là 1, 2 hoặc 3, nhận được '%(g)s'.") % {"code": code, "g": group}
            )
        else:
            wanted.append((unit, group))
    if errors:
        raise ValidationError(errors)
    assert decision_date is not None
    decision = CommuneGroupDecision.objects.create(
        province=province,
        decision_no=decision_no,
        decision_date=decision_date,
        issuer=issuer,
        valid_from=start,
        communes=len(wanted),
        created_by=acting_user(actor),
    )
    scheme = ClassificationScheme.objects.get(code=SCHEME)
    ids = [u.pk for u, _g in wanted]
    previous = {
        r.unit_id: r
        for r in UnitClassification.objects.filter(
            scheme=scheme, unit_id__in=ids, valid_from__lt=start
        ).exclude(valid_to__lt=start)
    }
    for row in previous.values():
        row.valid_to = start - timedelta(days=1)
    UnitClassification.objects.bulk_update(list(previous.values()), ["valid_to"])
    UnitClassification.objects.filter(scheme=scheme, unit_id__in=ids, valid_from__gte=start).delete()
    UnitClassification.objects.bulk_create(
        [
            UnitClassification(
                unit=u, scheme=scheme, value=g, valid_from=start, legal_basis=decision.citation[:255]
            )
            for u, g in wanted
        ]
    )
    changes = {u.code: [previous[u.pk].value if u.pk in previous else None, g] for u, g in wanted}
    record_change(actor=actor, obj=decision, action="created", changes=changes, unit_path=province.path)
    return decision


@dataclass
class GroupImport:
    groups: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def template_xlsx(province: UnitVersion, on: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhom xa"
    ws.append(HEADER)
    ws.append([_("Mã xã"), _("Tên xã"), _("Nhóm (1, 2, 3)"), _("Gợi ý theo khu vực II/III")])
    for cell in ws[1] + ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in province_groups(province, on):
        ws.append([safe_cell(v) for v in (row["code"], row["name"], row["group"], row["suggested"])])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> GroupImport:
    """{code: group} from the template; blank group cells are skipped. Structural errors → ValidationError."""
    try:  # TooManyRows & co. (ValidationErrors naming the limit) pass through
        rows = read_sheet(content, MAX_ROWS, sheet=0)
    except NotAWorkbook as exc:
        raise ValidationError(_("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")) from exc
    if not rows or [str(h or "") for h in rows[0][:3]] != HEADER[:3]:
        raise ValidationError(_("Tệp không đúng mẫu: dòng 1 phải bắt đầu bằng ma_xa, ten_xa, nhom."))
    result = GroupImport()
    for r, row in enumerate(rows[2:], start=3):
        if not row or row[0] in (None, "") or len(row) < 3 or row[2] in (None, ""):
            continue
        code = str(row[0]).strip()
        group = str(row[2]).strip().removesuffix(".0")
        if code in result.groups:
            result.errors.append(_("Dòng %(r)s: mã xã %(code)s lặp lại.") % {"r": r, "code": code})
        result.groups[code] = group
    return result
