"""Excel round trip: a province/year template (communes × indicators, region and thresholds shown) and its import
with dry-run, per-cell errors and an atomic commit. The import log is the ChangeRecord written on commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from mtqg.core.audit import record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.tables import safe_cell, workbook_bytes
from mtqg.core.xlsx_import import NotAWorkbook, read_sheet
from mtqg.geo.models import UnitVersion

from . import engine
from .models import Assessment, CriteriaSet, Indicator, IndicatorValue
from .periods import set_in_force
from .selectors import communes_in
from .services import parse_value

FIRST_DATA_ROW = 4  # row 1: indicator codes, row 2: names, row 3: units
MAX_ROWS = 2_000  # a province has at most a few hundred communes; header rows included (decision 0902)


def set_for(province: UnitVersion, year: int) -> CriteriaSet | None:
    """The province's own set for the year if it has one, else the national set."""
    found = set_in_force(date(year, 12, 31), province=province)
    return found.criteria_set if found else None


def template_xlsx(province: UnitVersion, year: int, cset: CriteriaSet) -> bytes:
    on = date(year, 12, 31)
    book = engine.Book(cset.pk)
    indicators = [i for c, _n, _name in book.criteria for i in book.indicators[c]]
    names = dict(Indicator.objects.filter(criterion__criteria_set=cset).values_list("code", "name"))
    communes = list(communes_in(province, on).order_by("code"))
    regions = engine.resolve_regions(cset, [c.pk for c in communes], on)
    existing: dict[tuple[int, int], Any] = {}
    for commune_id, ind_id, value, na in IndicatorValue.objects.filter(
        assessment__criteria_set=cset, assessment__year=year, assessment__commune__in=communes
    ).values_list("assessment__commune_id", "indicator_id", "value", "not_applicable"):
        existing[(commune_id, ind_id)] = "KAD" if na else value
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhap lieu"
    ws.append(["ma_xa", "ten_xa", "vung"] + [safe_cell(i.code) for i in indicators])
    ws.append(
        [_("Mã xã"), _("Tên xã"), _("Vùng/nhóm")] + [safe_cell(names.get(i.code, "")) for i in indicators]
    )
    ws.append(
        ["", "", ""]
        + [
            safe_cell(
                ("Đạt/Không" if i.value_type == "bool" else i.unit_label)
                + (" (KAD nếu không có)" if i.if_applicable else "")
            )
            for i in indicators
        ]
    )
    for cell in ws[1] + ws[2] + ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for c in communes:
        row: list[Any] = [c.code, c.name, regions.get(c.pk, "")]
        for ind in indicators:
            value = existing.get((c.pk, ind.id))
            row.append(float(value) if isinstance(value, Decimal) else value)
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "D4"
    th = wb.create_sheet("Nguong")
    th.append(
        [_("Mã chỉ tiêu"), _("Vùng/nhóm"), _("Năm"), _("Ngưỡng"), _("Mức cơ bản đạt"), _("Chưa xác minh")]
    )
    for ind in indicators:
        for rule in book.rules.get(ind.id, []):
            sign = {"ge": "≥", "le": "≤", "true": "Đạt", "zero": "Không"}[rule.op]
            th.append(
                [
                    safe_cell(v)
                    for v in (
                        ind.code,
                        rule.region,
                        rule.year,
                        f"{sign} {format(rule.value.normalize(), 'f')}" if rule.value is not None else sign,
                        float(rule.basic) if rule.basic is not None else None,
                        "x" if rule.unconfirmed else "",
                    )
                ]
            )
    info = wb.create_sheet("Thong tin")
    info.append([_("Bộ tiêu chí"), safe_cell(cset.code), safe_cell(cset.name)])
    info.append([_("Năm"), year])
    info.append([_("Tỉnh"), province.code, province.name])
    return workbook_bytes(wb)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    values: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False


def import_xlsx(
    *, actor: Any, province: UnitVersion, year: int, cset: CriteriaSet, content: bytes, dry_run: bool = True
) -> ImportResult:
    """Check every cell; commit only with no error and dry_run False (one transaction)."""
    ensure_can_edit(actor, province.path)
    result = ImportResult()
    try:  # TooManyRows & co. (ValidationErrors naming the limit) pass through
        rows = read_sheet(content, MAX_ROWS, sheet=0)
    except NotAWorkbook as exc:
        raise ValidationError({"file": _("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")}) from exc
    if not rows or [str(h or "") for h in rows[0][:3]] != ["ma_xa", "ten_xa", "vung"]:
        raise ValidationError(
            {"file": _("Tệp không đúng mẫu: dòng 1 phải bắt đầu bằng ma_xa, ten_xa, vung.")}
        )
    indicators = {i.code: i for i in Indicator.objects.filter(criterion__criteria_set=cset)}
    header = [str(h).strip() if h is not None else "" for h in rows[0][3:]]
    for col, code in enumerate(header, start=4):
        if code and code not in indicators:
            result.errors.append(
                {
                    "row": 1,
                    "column": col,
                    "code": code,
                    "message": _("Không có chỉ tiêu mã %(code)s trong bộ tiêu chí.") % {"code": code},
                }
            )
    on = date(year, 12, 31)
    communes = {c.code: c for c in communes_in(province, on)}
    if actor is not None:
        communes = {
            k: c
            for k, c in communes.items()
            if c.pk
            in set(
                UnitVersion.objects.editable_by(actor)
                .filter(pk__in=[x.pk for x in communes.values()])
                .values_list("pk", flat=True)
            )
        }
    parsed: dict[int, dict[int, tuple[Decimal | None, bool]]] = {}
    for r, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        if not row or row[0] in (None, ""):
            continue
        result.rows += 1
        code = str(row[0]).strip()
        commune = communes.get(code)
        if commune is None:
            result.errors.append(
                {
                    "row": r,
                    "column": 1,
                    "code": code,
                    "message": _(
                        "Mã xã %(code)s không thuộc %(province)s năm %(year)s hoặc bạn không có quyền nhập."
                    )
                    % {"code": code, "province": province.name, "year": year},
                }
            )
            continue
        cells = parsed.setdefault(commune.pk, {})
        for col, (ind_code, raw) in enumerate(zip(header, row[3:], strict=False), start=4):
            ind = indicators.get(ind_code)
            if ind is None or raw is None or str(raw).strip() == "":
                continue
            try:
                cells[ind.pk] = parse_value(ind, raw)
            except ValueError as exc:
                result.errors.append({"row": r, "column": col, "code": ind_code, "message": str(exc)})
    if result.errors or dry_run:
        return result
    parsed = {c: cells for c, cells in parsed.items() if cells}  # rows left blank create nothing
    _commit(actor, province, year, cset, parsed, result)
    return result


@transaction.atomic
def _commit(
    actor: Any,
    province: UnitVersion,
    year: int,
    cset: CriteriaSet,
    parsed: dict[int, dict[int, tuple[Decimal | None, bool]]],
    result: ImportResult,
) -> None:
    on = date(year, 12, 31)
    have = {
        a.commune_id: a
        for a in Assessment.objects.filter(criteria_set=cset, year=year, commune_id__in=parsed)
    }
    new = Assessment.objects.bulk_create(
        [
            Assessment(commune_id=c, year=year, criteria_set=cset, assessed_on=on)
            for c in parsed
            if c not in have
        ]
    )
    result.created = len(new)
    have.update({a.commune_id: a for a in new})
    ids = [a.pk for a in have.values()]
    replaced = {
        (a, i): pk
        for pk, a, i in IndicatorValue.objects.filter(assessment_id__in=ids).values_list(
            "pk", "assessment_id", "indicator_id"
        )
    }
    stale = [
        replaced[(have[c].pk, i)] for c, cells in parsed.items() for i in cells if (have[c].pk, i) in replaced
    ]
    for start in range(0, len(stale), 900):
        IndicatorValue.objects.filter(pk__in=stale[start : start + 900]).delete()
    values = [
        IndicatorValue(
            assessment_id=have[c].pk,
            indicator_id=i,
            value=v,
            not_applicable=na,
            source=_("Nhập từ Excel"),
            measured_on=on,
        )
        for c, cells in parsed.items()
        for i, (v, na) in cells.items()
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    result.values = len(values)
    engine.recompute(Assessment.objects.filter(pk__in=ids))
    result.committed = True
    record_change(
        actor=actor,
        obj=cset,
        action="imported",
        unit_path=province.path,
        changes={
            "import": [
                None,
                f"{province.name} {year}: {result.rows} xã, {result.created} đánh giá "
                f"mới, {result.values} giá trị",
            ]
        },
    )
