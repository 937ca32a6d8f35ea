"""NTM reports (listed in mtqg/reports/catalog.py): the province/commune summary on any date."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import classified_units
from mtqg.reports.params import ReportParams

from .groups import GROUPS_START, groups_on
from .models import (
    ADVANCED_TIERS,
    RECOGNISED_TIERS,
    CriteriaSet,
    CriterionResult,
    DigitalInfrastructure,
    RecognitionTier,
    Scheme,
    Status,
)
from .periods import set_in_force
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
        pred = predecessor_recognition(ids)
        result["merged_communes"] = {
            "all_predecessors_recognised": sum(1 for k, m in pred.values() if m and k == m),
            "some_predecessors_recognised": sum(1 for k, m in pred.values() if 0 < k < m),
            "note": _("Xã sau sáp nhập không kế thừa danh hiệu; cần xét công nhận lại."),
        }
    return result


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
