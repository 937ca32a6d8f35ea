"""Excel round trip of a whole criteria set (decision record 0122): export any set to XLSX (one row per threshold
row), import an edited file as a new draft version of a province's set — dry run first, every bad row reported in
Vietnamese, then one transaction through the authoring services (inherit, override, add, split)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from mtqg.core.tables import safe_cell, unescape_cell, workbook_bytes
from mtqg.core.xlsx_guard import check_rows, limited_rows
from mtqg.geo.models import UnitVersion

from . import authoring
from .models import CriteriaSet, Criterion, Indicator, Threshold, ThresholdSource
from .periods import set_in_force

HEADER = [
    "tieu_chi",
    "ten_tieu_chi",
    "ma_chi_tieu",
    "noi_dung",
    "kieu",
    "don_vi",
    "neu_co",
    "tach_tu",
    "vung",
    "nam",
    "phep_so_sanh",
    "nguong",
    "nguong_co_ban",
    "trich_dan",
    "van_ban_nguon",
]
COL = {name: i for i, name in enumerate(HEADER)}
MAX_ROWS = 3_000
OPS = {"≥": "ge", ">=": "ge", "ge": "ge", "≤": "le", "<=": "le", "le": "le", "đạt": "true", "true": "true"}
OPS |= {"không": "zero", "zero": "zero"}
OP_TEXT = {"ge": "≥", "le": "≤", "true": "Đạt", "zero": "Không"}


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def criteria_set_xlsx(cset: CriteriaSet) -> bytes:
    """Sheet "Bo tieu chi": one row per threshold row (an indicator without threshold: one row, region blank)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bo tieu chi"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    rows = Threshold.objects.filter(indicator__criterion__criteria_set=cset).select_related("cited_source")
    by_ind: dict[int, list[Threshold]] = {}
    for t in rows.order_by("region", "year"):
        by_ind.setdefault(t.indicator_id, []).append(t)
    indicators = (
        Indicator.objects.filter(criterion__criteria_set=cset)
        .select_related("criterion", "inherited_from")
        .order_by("criterion__number", "order", "code")
    )
    for ind in indicators:
        split_from = (
            ind.inherited_from.code if ind.origin == Indicator.Origin.SPLIT and ind.inherited_from else ""
        )
        head = [
            ind.criterion.number,
            safe_cell(ind.criterion.name),
            safe_cell(ind.code),
            safe_cell(ind.name),
            ind.value_type,
            safe_cell(ind.unit_label),
            "x" if ind.if_applicable else "",
            safe_cell(split_from),
        ]
        if not by_ind.get(ind.pk):
            ws.append(head)
        for t in by_ind.get(ind.pk, []):
            ws.append(
                [
                    *head,
                    safe_cell(t.region),
                    t.year,
                    OP_TEXT[t.op],
                    _num(t.value),
                    _num(t.basic_value),
                    safe_cell(t.source),
                    safe_cell(t.cited_source.code if t.cited_source else ""),
                ]
            )
    info = wb.create_sheet("Thong tin")
    info.append([_("Bộ tiêu chí"), safe_cell(cset.code), cset.version, safe_cell(cset.name)])
    info.append([_("Căn cứ pháp lý"), safe_cell(cset.legal_basis)])
    info.append(
        [
            _("Hướng dẫn"),
            safe_cell(_("Sửa ngưỡng thì ghi trích dẫn (cột trich_dan hoặc mã văn bản nguồn).")),
            "",
        ]
    )
    return workbook_bytes(wb)


@dataclass
class SetImportResult:
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    overridden: int = 0
    added: int = 0
    split: int = 0
    committed: bool = False
    criteria_set: CriteriaSet | None = None


@dataclass
class _Row:
    line: int
    region: str
    year: int | None
    op: str
    value: Decimal | None
    basic: Decimal | None
    source: str
    cited: ThresholdSource | None


@dataclass
class _Ind:
    line: int
    number: int
    code: str
    name: str
    value_type: str
    unit: str
    if_applicable: bool
    split_from: str
    rows: list[_Row] = field(default_factory=list)
    broken: bool = False  # a row of it was refused: no follow-on "missing row" errors


def _text(row: tuple[Any, ...], name: str) -> str:
    i = COL[name]
    value = row[i] if i < len(row) else None
    return "" if value is None else str(unescape_cell(value)).strip()


def _decimal(raw: str) -> Decimal | None:
    if not raw:
        return None
    value = Decimal(raw.replace(" ", "").replace("%", "").replace(",", "."))
    if not value.is_finite() or value < 0:
        raise InvalidOperation
    return value


def _parse(rows: list[tuple[Any, ...]], result: SetImportResult) -> dict[str, _Ind]:
    sources = {s.code: s for s in ThresholdSource.objects.all()}
    wanted: dict[str, _Ind] = {}
    current: list[_Ind | None] = [None]

    def bad(line: int, column: str, message: str) -> None:
        result.errors.append({"row": line, "column": column, "message": message})
        if current[0] is not None:
            current[0].broken = True

    for line, row in enumerate(rows[1:], start=2):
        current[0] = None
        if not row or all(c in (None, "") for c in row):
            continue
        result.rows += 1
        code = _text(row, "ma_chi_tieu")
        if not code:
            bad(line, "ma_chi_tieu", _("Thiếu mã chỉ tiêu."))
            continue
        try:
            number = int(float(_text(row, "tieu_chi")))
        except ValueError:
            bad(line, "tieu_chi", _("Số tiêu chí '%(v)s' không hợp lệ.") % {"v": _text(row, "tieu_chi")})
            continue
        value_type = _text(row, "kieu") or Indicator.Type.BOOL
        if value_type not in Indicator.Type.values:
            bad(
                line,
                "kieu",
                _("Kiểu giá trị '%(v)s' không hợp lệ (bool, percent, amount, count).") % {"v": value_type},
            )
            continue
        ind = wanted.setdefault(
            code,
            _Ind(
                line,
                number,
                code,
                _text(row, "noi_dung"),
                value_type,
                _text(row, "don_vi"),
                bool(_text(row, "neu_co")),
                _text(row, "tach_tu"),
            ),
        )
        current[0] = ind
        if ind.number != number:
            bad(line, "tieu_chi", _("Chỉ tiêu %(code)s ghi ở hai tiêu chí khác nhau.") % {"code": code})
            continue
        region = _text(row, "vung")
        if not region:
            continue
        op = OPS.get(_text(row, "phep_so_sanh").lower(), "")
        if not op:
            bad(line, "phep_so_sanh", _("Phép so sánh phải là ≥, ≤, Đạt hoặc Không."))
            continue
        try:
            value = _decimal(_text(row, "nguong"))
            basic = _decimal(_text(row, "nguong_co_ban"))
        except (InvalidOperation, ValueError):
            bad(line, "nguong", _("Ngưỡng của chỉ tiêu %(code)s phải là số không âm.") % {"code": code})
            continue
        if op in ("ge", "le") and value is None:
            bad(line, "nguong", _("Ngưỡng ≥/≤ của chỉ tiêu %(code)s cần một giá trị.") % {"code": code})
            continue
        if value_type == Indicator.Type.PERCENT and value is not None and value > 100:
            bad(line, "nguong", _("Tỷ lệ của chỉ tiêu %(code)s phải trong khoảng 0-100%%.") % {"code": code})
            continue
        year_text = _text(row, "nam")
        try:
            year = int(float(year_text)) if year_text else None
        except ValueError:
            bad(line, "nam", _("Năm '%(v)s' không hợp lệ.") % {"v": year_text})
            continue
        cited_code = _text(row, "van_ban_nguon")
        cited = sources.get(cited_code) if cited_code else None
        if cited_code and cited is None:
            bad(line, "van_ban_nguon", _("Không có văn bản nguồn mã %(code)s.") % {"code": cited_code})
            continue
        if any(r.region == region and r.year == year for r in ind.rows):
            bad(
                line,
                "vung",
                _("Chỉ tiêu %(code)s có hai dòng ngưỡng cùng vùng %(r)s.") % {"code": code, "r": region},
            )
            continue
        ind.rows.append(
            _Row(
                line,
                region,
                year,
                op,
                None if op in ("true", "zero") else value,
                basic,
                _text(row, "trich_dan"),
                cited,
            )
        )
    return wanted


def _check(wanted: dict[str, _Ind], parent: CriteriaSet, result: SetImportResult) -> None:
    """Against the national set: cited changes, no national indicator silently dropped, known criteria."""
    numbers = set(Criterion.objects.filter(criteria_set=parent).values_list("number", flat=True))
    national = {
        i.code: i
        for i in Indicator.objects.filter(criterion__criteria_set=parent).select_related("criterion")
    }
    rules = {
        (t.indicator.code, t.region, t.year): t
        for t in Threshold.objects.filter(indicator__criterion__criteria_set=parent).select_related(
            "indicator"
        )
    }
    split_sources = {i.split_from for i in wanted.values() if i.split_from}

    def bad(line: int, column: str, message: str) -> None:
        result.errors.append({"row": line, "column": column, "message": message})

    for code in national:
        if code not in wanted and code not in split_sources:
            bad(
                1,
                "ma_chi_tieu",
                _(
                    "Thiếu chỉ tiêu %(code)s của bộ quốc gia; tỉnh không bỏ chỉ tiêu quốc gia (tách thì ghi cột tach_tu)."
                )
                % {"code": code},
            )
    for ind in wanted.values():
        if ind.number not in numbers:
            bad(ind.line, "tieu_chi", _("Bộ quốc gia không có tiêu chí số %(n)s.") % {"n": ind.number})
            continue
        if ind.split_from and ind.split_from not in national:
            bad(
                ind.line,
                "tach_tu",
                _("Không có chỉ tiêu quốc gia mã %(code)s để tách.") % {"code": ind.split_from},
            )
        if ind.split_from and ind.split_from in wanted:
            bad(
                ind.line,
                "tach_tu",
                _("Chỉ tiêu %(code)s đã tách thì không giữ lại trong tệp.") % {"code": ind.split_from},
            )
        inherited = ind.code in national and not ind.split_from
        if not inherited and not ind.name:
            bad(ind.line, "noi_dung", _("Chỉ tiêu %(code)s thiếu nội dung.") % {"code": ind.code})
        if not inherited and not ind.rows and not ind.broken:
            bad(
                ind.line,
                "vung",
                _("Chỉ tiêu %(code)s cần ít nhất một ngưỡng có trích dẫn.") % {"code": ind.code},
            )
        for r in ind.rows:
            same = rules.get((ind.code, r.region, r.year)) if inherited else None
            unchanged = same is not None and (same.op, same.value, same.basic_value) == (
                r.op,
                r.value,
                r.basic,
            )
            national_cite = same is not None and (same.source, same.cited_source_id) == (
                r.source,
                r.cited.pk if r.cited else None,
            )
            if not unchanged and ((not r.source and r.cited is None) or national_cite):
                bad(
                    r.line,
                    "trich_dan",
                    _(
                        "Ngưỡng của chỉ tiêu %(code)s (vùng %(r)s) khác bộ quốc gia nhưng chưa có trích dẫn của tỉnh."
                    )
                    % {"code": ind.code, "r": r.region},
                )
        if inherited and not ind.broken:
            kept = {(r.region, r.year) for r in ind.rows}
            for key in rules:
                if key[0] == ind.code and (key[1], key[2]) not in kept:
                    bad(
                        ind.line,
                        "vung",
                        _("Thiếu ngưỡng vùng %(r)s của chỉ tiêu %(code)s; sửa giá trị thay vì xóa dòng.")
                        % {"r": key[1], "code": ind.code},
                    )


class _DryRun(Exception):
    pass


def criteria_set_import(
    *, actor: Any, province: UnitVersion, content: bytes, valid_from: date, dry_run: bool = True
) -> SetImportResult:
    """Check every row; with no error (and not a dry run) write a new draft version in one transaction."""
    if actor is not None and not authoring.can_author(actor, province):
        raise PermissionDenied(_("Bạn không có quyền soạn bộ tiêu chí xã NTM của tỉnh này."))
    result = SetImportResult()
    check_rows(content, MAX_ROWS)
    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(limited_rows(ws.iter_rows(values_only=True), MAX_ROWS))
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises several types for non-xlsx input
        raise ValidationError({"file": _("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")}) from exc
    if not rows or [str(h or "").strip() for h in rows[0][: len(HEADER)]] != HEADER:
        raise ValidationError(
            {"file": _("Tệp không đúng mẫu: dòng 1 phải là %(h)s.") % {"h": ", ".join(HEADER)}}
        )
    found = set_in_force(valid_from)
    if found is None:
        raise ValidationError(
            {
                "valid_from": _("Không có bộ tiêu chí quốc gia áp dụng ngày %(d)s.")
                % {"d": valid_from.strftime("%d/%m/%Y")}
            }
        )
    wanted = _parse(rows, result)
    _check(wanted, found.criteria_set, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _apply(actor, province, valid_from, wanted, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.criteria_set = None
        return result
    except ValidationError as exc:  # a refusal the row checks did not foresee (e.g. an open draft)
        result.errors.extend({"row": "", "column": "", "message": m} for m in exc.messages)
        result.criteria_set = None
        return result
    result.committed = True
    return result


def _apply(
    actor: Any, province: UnitVersion, valid_from: date, wanted: dict[str, _Ind], result: SetImportResult
) -> None:
    cset = authoring.criteria_set_inherit(actor=actor, province=province, valid_from=valid_from)
    result.criteria_set = cset
    mine = {
        i.code: i for i in Indicator.objects.filter(criterion__criteria_set=cset).select_related("criterion")
    }
    crits = {c.number: c for c in Criterion.objects.filter(criteria_set=cset)}
    rules = {
        (t.indicator_id, t.region, t.year): t
        for t in Threshold.objects.filter(indicator__criterion__criteria_set=cset)
    }

    def spec(ind: _Ind) -> dict[str, Any]:
        return {
            "code": ind.code,
            "name": ind.name,
            "value_type": ind.value_type,
            "unit_label": ind.unit,
            "if_applicable": ind.if_applicable,
            "thresholds": [
                {
                    "region": r.region,
                    "year": r.year,
                    "op": r.op,
                    "value": r.value,
                    "basic_value": r.basic,
                    "source": r.source,
                    "cited_source": r.cited,
                }
                for r in ind.rows
            ],
        }

    splits: dict[str, list[_Ind]] = {}
    for ind in wanted.values():
        if ind.split_from and ind.split_from in mine:
            splits.setdefault(ind.split_from, []).append(ind)
        elif ind.code in mine:
            own = mine[ind.code]
            for r in ind.rows:
                same = rules.get((own.pk, r.region, r.year))
                if same is not None and (same.op, same.value, same.basic_value) == (r.op, r.value, r.basic):
                    continue
                authoring.criteria_threshold_override(
                    actor=actor,
                    indicator=own,
                    region=r.region,
                    year=r.year,
                    op=r.op,
                    value=r.value,
                    basic_value=r.basic,
                    source=r.source,
                    cited_source=r.cited,
                )
                result.overridden += 1
        else:
            authoring.criteria_indicator_add(actor=actor, criterion=crits[ind.number], spec=spec(ind))
            result.added += 1
    for code, parts in splits.items():
        authoring.criteria_indicator_split(actor=actor, indicator=mine[code], parts=[spec(p) for p in parts])
        result.split += 1
