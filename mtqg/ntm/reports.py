"""NTM reports (listed in mtqg/reports/catalog.py): the province/commune summary on any date."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, DECIMAL, INT, PERCENT, Column
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import classified_units
from mtqg.reports.document import Figure, Report, figures_report, rows_table, unit_figures
from mtqg.reports.params import ReportParams

from .authoring import set_scope
from .groups import GROUPS_START, groups_on
from .models import (
    ADVANCED_TIERS,
    RECOGNISED_TIERS,
    CriteriaSet,
    CriterionResult,
    DigitalInfrastructure,
    Policy,
    RecognitionTier,
    Scheme,
    Status,
)
from .periods import set_in_force
from .programme import INHERIT_POLICY, context_for, inherited_recognitions
from .selectors import communes_in, latest_assessments, predecessor_recognition, tiers_on

DEFAULT_BANDS = {19: "19,15-18,10-14,5-9,0-4", 10: "10,8-9,5-7,0-4"}


def parse_bands(text: str) -> list[tuple[str, int, int]]:
    """'19,15-18,10-14' → [('19', 19, 19), ('15-18', 15, 18), …]; ValidationError on bad input."""
    bands = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            lo_text, _sep, hi_text = part.partition("-")
            lo, hi = int(lo_text), int(hi_text or lo_text)
        except ValueError as exc:
            raise ValidationError(
                {
                    "bands": _("Khoảng tiêu chí không hợp lệ: '%(part)s' (ví dụ 19,15-18,10-14).")
                    % {"part": part}
                }
            ) from exc
        if lo > hi or lo < 0:
            raise ValidationError({"bands": _("Khoảng tiêu chí không hợp lệ: '%(part)s'.") % {"part": part}})
        bands.append((part, lo, hi))
    if not bands:
        raise ValidationError({"bands": _("Chưa có khoảng tiêu chí.")})
    return bands


def _round(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def summary(user: Any, params: ReportParams) -> dict[str, Any]:
    on = params.on
    unit = params.unit
    communes = communes_in(unit, on)
    if user is not None:
        communes = communes.filter(pk__in=UnitVersion.objects.visible_to(user).values("pk"))
    ids = list(communes.values_list("pk", flat=True))
    latest = latest_assessments(ids, on)
    tiers = tiers_on(ids, on)
    set_ids = Counter(a["criteria_set_id"] for a in latest.values())
    cset, reason = _set_and_reason(set_ids, len(latest), on, unit)
    total = cset.criteria.count() if cset else 19
    bands = parse_bands(params.bands or DEFAULT_BANDS.get(total, DEFAULT_BANDS[19]))
    band_counts = {label: 0 for label, _lo, _hi in bands}
    for a in latest.values():
        for label, lo, hi in bands:
            if lo <= a["criteria_met"] <= hi:
                band_counts[label] += 1
                break
    n = len(ids)
    recognised = sum(1 for t in tiers.values() if t in RECOGNISED_TIERS)
    met_sum = sum(a["criteria_met"] for a in latest.values())
    result: dict[str, Any] = {
        "unit": {"code": unit.code, "name": unit.name},
        "as_of": on.isoformat(),
        "criteria_set": {"code": cset.code, "name": cset.name, "legal_basis": cset.legal_basis}
        if cset
        else None,
        "criteria_set_reason": reason,
        "criteria_set_scope": set_scope(cset),  # provincial | national (decision record 0120)
        "communes": n,
        "recognised": recognised,
        "recognised_rate": _round(Decimal(recognised * 100) / n, "0.01") if n else 0.0,
        "basically_met": sum(1 for t in tiers.values() if t == RecognitionTier.BASIC),
        "advanced": sum(1 for t in tiers.values() if t in ADVANCED_TIERS),
        "model": sum(1 for t in tiers.values() if t == RecognitionTier.MODEL),
        "bands": band_counts,
        "average_criteria_met": _round(Decimal(met_sum) / len(latest), "0.1") if latest else None,
        "boundary": {
            "structure": unit.structure,
            "label": str(UnitVersion.Structure(unit.structure).label),
            "denominator": _("Số đơn vị loại xã còn hiệu lực ngày %(date)s")
            % {"date": on.strftime("%d/%m/%Y")},
        },
        "assessed": len(latest),
        "provisional_assessments": sum(1 for a in latest.values() if a["provisional"]),
        "not_assessed": n - len(latest),
        "schemes": _schemes(unit, on, set(ids), tiers),
    }
    if on >= GROUPS_START:  # QĐ 51/2025: communes the province has not grouped cannot be assessed
        result["communes_without_group"] = n - len(groups_on(ids, on))
    if unit.structure == UnitVersion.Structure.Y2025:
        result["merged_communes"] = _merged(ids, tiers, result)
    return result


def _merged(ids: list[int], tiers: dict[int, str], result: dict[str, Any]) -> dict[str, Any]:
    """Predecessors' recognitions of 2025 communes; with the inheritance policy on (decision record 0125), the
    communes whose every predecessor was recognised count as recognised."""
    pred = predecessor_recognition(ids)
    policy = Policy.objects.filter(code=INHERIT_POLICY).first()
    own = {c for c, t in tiers.items() if t in RECOGNISED_TIERS}
    inherited = inherited_recognitions(pred, enabled=bool(policy and policy.enabled)) - own
    if inherited:
        result["recognised"] += len(inherited)
        n = result["communes"]
        result["recognised_rate"] = _round(Decimal(result["recognised"] * 100) / n, "0.01") if n else 0.0
    return {
        "all_predecessors_recognised": sum(1 for k, m in pred.values() if m and k == m),
        "some_predecessors_recognised": sum(1 for k, m in pred.values() if 0 < k < m),
        "inherited": len(inherited),
        "policy": {
            "code": INHERIT_POLICY,
            "inherits": bool(policy and policy.enabled),
            "citation": policy.citation if policy else "",
            "unconfirmed": policy.unconfirmed if policy else True,
        },
        "note": _(
            "Xã sau sáp nhập kế thừa danh hiệu khi mọi xã trước sáp nhập đã đạt chuẩn (quy định chưa xác minh)."
        )
        if policy and policy.enabled
        else _("Xã sau sáp nhập không kế thừa danh hiệu; cần xét công nhận lại."),
    }


def _set_and_reason(
    set_ids: Counter[int], assessed: int, on: Any, unit: UnitVersion
) -> tuple[CriteriaSet | None, str]:
    """The set the figures use and why: the set of most latest assessments, else the set in force on the date."""
    if set_ids:
        set_id, n = set_ids.most_common(1)[0]
        cset = CriteriaSet.objects.filter(pk=set_id).first()
        return cset, _(
            "Bộ tiêu chí của các đánh giá mới nhất đến ngày %(date)s (%(n)s/%(m)s xã đã đánh giá)"
        ) % {
            "date": on.strftime("%d/%m/%Y"),
            "n": n,
            "m": assessed,
        }
    province = unit if unit.level == UnitVersion.Level.PROVINCE else None
    found = set_in_force(on, province=province)
    if found is None:
        return None, _(
            "Không có bộ tiêu chí nào áp dụng ngày %(date)s (chưa mã hóa bộ tiêu chí trước 01/12/2016)."
        ) % {"date": on.strftime("%d/%m/%Y")}
    return found.criteria_set, _("Chưa có đánh giá; bộ tiêu chí áp dụng ngày %(date)s: %(reason)s") % {
        "date": on.strftime("%d/%m/%Y"),
        "reason": found.reason,
    }


def _schemes(unit: UnitVersion, on: Any, ids: set[int], tiers: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for scheme in Scheme.objects.filter(province__path__startswith=unit.path) | Scheme.objects.filter(
        province__path__in=[unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]
    ):
        members = (
            set(
                classified_units(
                    scheme.classification_scheme, scheme.classification_value, on, within=unit
                ).values_list("pk", flat=True)
            )
            & ids
        )
        done = sum(1 for c in members if tiers.get(c) in (*RECOGNISED_TIERS, RecognitionTier.BASIC))
        out.append(
            {
                "code": scheme.code,
                "name": scheme.name,
                "communes": len(members),
                "recognised_or_basically_met": done,
                "target": scheme.target,
                "unconfirmed": scheme.unconfirmed,
            }
        )
    return out


def digital_gaps(user: Any, params: ReportParams) -> dict[str, Any]:
    """Part 7: communes and villages without a radio system or without mobile signal ('xã trắng'), from each unit's
    latest record up to the year; with the other digital fields (internet, postal point, online public services)."""

    on = params.on
    year = params.year or on.year
    qs = DigitalInfrastructure.objects.filter(unit__path__startswith=params.unit.path, year__lte=year)
    if user is not None:
        qs = qs.visible_to(user)
    latest: dict[int, DigitalInfrastructure] = {}
    for row in qs.select_related("unit__parent__parent").order_by("unit_id", "-year"):
        latest.setdefault(row.unit_id, row)
    signal_labels = dict(DigitalInfrastructure.Signal.choices)

    def item(row: DigitalInfrastructure) -> dict[str, Any]:
        unit = row.unit
        commune = unit.parent if unit.level == UnitVersion.Level.VILLAGE else unit
        return {
            "code": unit.code,
            "name": unit.name,
            "level": "village" if unit.level == UnitVersion.Level.VILLAGE else "commune",
            "commune": commune.name if commune else "",
            "district": commune.parent.name if commune and commune.parent else "",
            "year": row.year,
            "has_radio": row.has_radio,
            "mobile_signal": row.mobile_signal or None,
            "mobile_signal_label": str(signal_labels.get(row.mobile_signal, "")),
            "has_internet": row.has_internet,
            "has_postal_point": row.has_postal_point,
            "online_services": row.online_services,
        }

    rows = sorted(
        latest.values(),
        key=lambda r: (
            r.unit.parent.name
            if r.unit.level == UnitVersion.Level.VILLAGE and r.unit.parent
            else r.unit.name,
            r.unit.level,
            r.unit.name,
        ),
    )
    no_radio = {r.unit_id for r in rows if r.has_radio is False}
    no_signal = {r.unit_id for r in rows if r.mobile_signal == DigitalInfrastructure.Signal.NONE}
    communes = [r for r in rows if r.unit.level == UnitVersion.Level.COMMUNE]
    villages = [r for r in rows if r.unit.level == UnitVersion.Level.VILLAGE]
    return {
        "unit": {"code": params.unit.code, "name": params.unit.name},
        "year": year,
        "communes_reported": len(communes),
        "villages_reported": len(villages),
        "communes_without_radio": [item(r) for r in communes if r.unit_id in no_radio],
        "communes_without_mobile_signal": [item(r) for r in communes if r.unit_id in no_signal],
        "villages_without_radio": [item(r) for r in villages if r.unit_id in no_radio],
        "villages_without_mobile_signal": [item(r) for r in villages if r.unit_id in no_signal],
        "gaps": [item(r) for r in rows if r.unit_id in no_radio | no_signal],
        "unknown": sum(1 for r in rows if r.has_radio is None or not r.mobile_signal),
        "totals": {
            "without_internet": sum(1 for r in communes if r.has_internet is False),
            "without_postal_point": sum(1 for r in communes if r.has_postal_point is False),
            "without_online_services": sum(1 for r in communes if r.online_services is False),
        },
    }


# the session-1 slug "ntm-white-communes" stays as an alias of the same report
white_communes = digital_gaps


def keeping_rows(user: Any, unit: UnitVersion, on: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Recognised communes (đạt chuẩn or higher on the date) with their latest assessment and failing criteria:
    "giữ chuẩn", "chưa giữ chuẩn" or "chưa đánh giá lại" (decision record 0114). Four queries."""

    communes = communes_in(unit, on)
    if user is not None:
        communes = communes.filter(pk__in=UnitVersion.objects.visible_to(user).values("pk"))
    names = dict(communes.values_list("pk", "name"))
    tiers = {c: t for c, t in tiers_on(list(names), on).items() if t in RECOGNISED_TIERS}
    latest = latest_assessments(list(tiers), on)
    failing: dict[int, list[int]] = {}
    for aid, number in (
        CriterionResult.objects.filter(assessment_id__in=[a["id"] for a in latest.values()])
        .exclude(status__in=[Status.MET, Status.NA])
        .order_by("criterion__number")
        .values_list("assessment_id", "criterion__number")
    ):
        failing.setdefault(aid, []).append(number)
    found = set_in_force(on, province=unit if unit.level == UnitVersion.Level.PROVINCE else None)
    in_force = found.criteria_set if found else None
    labels = dict(RecognitionTier.choices)
    rows = []
    for cid in sorted(tiers, key=lambda c: names[c]):
        a = latest.get(cid)
        gaps = failing.get(a["id"], []) if a else []
        status = "chua_danh_gia" if a is None else "chua_giu_chuan" if gaps else "giu_chuan"
        rows.append(
            {
                "commune_id": cid,
                "name": names[cid],
                "tier": tiers[cid],
                "tier_label": str(labels[tiers[cid]]),
                "year": a["year"] if a else None,
                "met": a["criteria_met"] if a else None,
                "total": a["criteria_total"] if a else None,
                "failing": gaps,
                "status": status,
                "current_set": bool(a and in_force and a["criteria_set_id"] == in_force.pk),
                "provisional": bool(a and a["provisional"]),
            }
        )
    return in_force, rows


def keeping(user: Any, params: ReportParams) -> dict[str, Any]:
    """Part 9: keeping the standard — recognised communes that fall below ("chưa giữ chuẩn") and their criteria."""
    in_force, rows = keeping_rows(user, params.unit, params.on)
    return {
        "unit": {"code": params.unit.code, "name": params.unit.name},
        "as_of": params.on.isoformat(),
        "criteria_set_in_force": in_force.code if in_force else None,
        "recognised": len(rows),
        "keeping": sum(1 for r in rows if r["status"] == "giu_chuan"),
        "below_standard": sum(1 for r in rows if r["status"] == "chua_giu_chuan"),
        "not_reassessed": sum(1 for r in rows if r["status"] == "chua_danh_gia"),
        "assessed_under_set_in_force": sum(1 for r in rows if r["current_set"]),
        "below": [
            {k: r[k] for k in ("name", "tier_label", "year", "met", "total", "failing", "provisional")}
            for r in rows
            if r["status"] == "chua_giu_chuan"
        ],
    }


# -----------------------------------------------------------------------------------------------------------------
# Declared layouts (catalog.LAYOUTS): each column's label and kind
# -----------------------------------------------------------------------------------------------------------------


def summary_layout(data: dict[str, Any]) -> Report:
    figures = [
        *unit_figures(),
        Figure("as_of", _("Tính đến ngày"), DATE),
        Figure("criteria_set.code", _("Mã bộ tiêu chí")),
        Figure("criteria_set.name", _("Bộ tiêu chí")),
        Figure("criteria_set.legal_basis", _("Căn cứ pháp lý")),
        Figure("criteria_set_reason", _("Lý do chọn bộ tiêu chí")),
        Figure("communes", _("Số xã"), INT),
        Figure("recognised", _("Xã đạt chuẩn NTM"), INT),
        Figure("recognised_rate", _("Tỷ lệ xã đạt chuẩn (%)"), PERCENT),
        Figure("basically_met", _("Xã cơ bản đạt chuẩn"), INT),
        Figure("advanced", _("Xã NTM nâng cao"), INT),
        Figure("model", _("Xã NTM kiểu mẫu"), INT),
    ]
    figures += [
        Figure(f"bands.{band}", f"{_('Nhóm số tiêu chí đạt')} — {band}", INT)
        for band in data.get("bands") or {}
    ]
    figures += [
        Figure("average_criteria_met", _("Số tiêu chí bình quân/xã"), DECIMAL),
        Figure("boundary.label", _("Địa giới")),
        Figure("boundary.denominator", _("Mẫu số")),
        Figure("assessed", _("Số xã đã đánh giá"), INT),
        Figure("provisional_assessments", _("Số đánh giá tạm tính"), INT),
        Figure("not_assessed", _("Số xã chưa đánh giá"), INT),
    ]
    if "communes_without_group" in data:
        figures.append(Figure("communes_without_group", _("Số xã chưa được phân nhóm"), INT))
    if "merged_communes" in data:
        figures += [
            Figure(
                "merged_communes.all_predecessors_recognised",
                _("Xã sau sáp nhập: mọi xã cũ đã đạt chuẩn"),
                INT,
            ),
            Figure(
                "merged_communes.some_predecessors_recognised",
                _("Xã sau sáp nhập: một phần xã cũ đạt chuẩn"),
                INT,
            ),
            Figure("merged_communes.note", _("Ghi chú")),
        ]
    schemes = [
        Column("code", _("Mã")),
        Column("name", _("Tên")),
        Column("communes", _("Số xã"), INT),
        Column("recognised_or_basically_met", _("Xã đạt chuẩn hoặc cơ bản đạt chuẩn"), INT),
        Column("target", _("Mục tiêu")),
        Column("unconfirmed", _("Chưa xác minh")),
    ]
    return figures_report(data, figures, rows_table(_("Đề án"), data.get("schemes"), schemes))


def keeping_layout(data: dict[str, Any]) -> Report:
    figures = [
        *unit_figures(),
        Figure("as_of", _("Tính đến ngày"), DATE),
        Figure("criteria_set_in_force", _("Bộ tiêu chí đang có hiệu lực")),
        Figure("recognised", _("Xã đạt chuẩn NTM"), INT),
        Figure("keeping", _("Xã giữ chuẩn"), INT),
        Figure("below_standard", _("Xã chưa giữ chuẩn"), INT),
        Figure("not_reassessed", _("Xã chưa đánh giá lại"), INT),
        Figure("assessed_under_set_in_force", _("Xã đánh giá theo bộ tiêu chí đang có hiệu lực"), INT),
    ]
    below = [
        Column("name", _("Xã")),
        Column("tier_label", _("Hạng")),
        Column("year", _("Năm")),
        Column("met", _("Tiêu chí đạt"), INT),
        Column("total", _("Tổng số tiêu chí"), INT),
        Column("failing", _("Tiêu chí chưa đạt")),
        Column("provisional", _("Tạm tính")),
    ]
    return figures_report(data, figures, rows_table(_("Xã chưa giữ chuẩn"), data.get("below"), below))


def digital_gaps_layout(data: dict[str, Any]) -> Report:
    figures = [
        *unit_figures(),
        Figure("year", _("Năm")),
        Figure("communes_reported", _("Số xã có báo cáo"), INT),
        Figure("villages_reported", _("Số thôn có báo cáo"), INT),
        Figure("unknown", _("Số đơn vị chưa đủ thông tin"), INT),
        Figure("totals.without_internet", _("Xã chưa có Internet"), INT),
        Figure("totals.without_postal_point", _("Xã chưa có điểm phục vụ bưu chính"), INT),
        Figure("totals.without_online_services", _("Xã chưa có dịch vụ công trực tuyến"), INT),
    ]
    columns = [
        Column("code", _("Mã")),
        Column("name", _("Tên")),
        Column("commune", _("Xã")),
        Column("district", _("Huyện")),
        Column("year", _("Năm")),
        Column("has_radio", _("Có đài truyền thanh")),
        Column("mobile_signal_label", _("Sóng điện thoại di động")),
        Column("has_internet", _("Có Internet")),
        Column("has_postal_point", _("Có điểm phục vụ bưu chính")),
        Column("online_services", _("Có dịch vụ công trực tuyến")),
    ]
    lists = (
        ("communes_without_radio", _("Xã chưa có đài truyền thanh")),
        ("communes_without_mobile_signal", _("Xã chưa có sóng điện thoại di động")),
        ("villages_without_radio", _("Thôn chưa có đài truyền thanh")),
        ("villages_without_mobile_signal", _("Thôn chưa có sóng điện thoại di động")),
        ("gaps", _("Xã, thôn chưa có đài truyền thanh hoặc sóng điện thoại di động")),
    )
    return figures_report(data, figures, *(rows_table(title, data.get(key), columns) for key, title in lists))


def context(user: Any, params: ReportParams) -> dict[str, Any]:
    """The unit's socio-economic context figures (cited, dated; decision 0128), latest year first per code, up to
    the report's year: published statistics of the unit, the same for every user who may see the unit."""
    rows = context_for(params.unit, params.year)
    return {
        "unit": {"code": params.unit.code, "name": params.unit.name},
        "year": params.year,
        "rows": [
            {
                "code": r.code,
                "label": r.label,
                "year": r.year,
                "value": r.value,
                "unit_label": r.unit_label,
                "estimated": r.estimated,
                "source": r.source,
                "unconfirmed": r.unconfirmed,
            }
            for r in rows
        ],
    }


def context_layout(data: dict[str, Any]) -> Report:
    columns = [
        Column("label", _("Chỉ tiêu")),
        Column("year", _("Năm")),
        Column("value", _("Giá trị"), DECIMAL),
        Column("unit_label", _("Đơn vị tính")),
        Column("source", _("Nguồn")),
    ]
    return Report(data, [rows_table(_("Bối cảnh kinh tế - xã hội"), data.get("rows"), columns)])


def unit_register_layout(data: dict[str, Any]) -> Report:
    """The district (QĐ 320/2022) or province (QĐ 321/2022; QĐ 51/2025 Phụ lục III) register."""
    figures = [
        *unit_figures(),
        Figure("as_of", _("Tính đến ngày"), DATE),
        Figure("rule.name", _("Quy định áp dụng")),
        Figure("units", _("Số đơn vị"), INT),
        Figure("eligible", _("Đủ điều kiện"), INT),
        Figure("not_met", _("Chưa đạt"), INT),
        Figure("unknown", _("Chưa xác định"), INT),
    ]
    columns = [
        Column("code", _("Mã")),
        Column("name", _("Tên")),
        Column("communes", _("Số xã"), INT),
        Column("recognised", _("Xã đạt chuẩn"), INT),
        Column("status_label", _("Tình trạng")),
        Column("note", _("Ghi chú")),
    ]
    return figures_report(data, figures, rows_table(_("Danh sách"), data.get("rows"), columns))
