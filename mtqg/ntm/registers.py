"""District NTM and province completion registers computed from commune results (issue 22 part 9, decision record
0127). The rules are data (data/unit_registers.json) with citations: a condition the app can compute from commune
recognitions decides "chưa đạt"; a condition it cannot (district criteria, satisfaction survey, QĐ 51 Phụ lục III)
leaves an otherwise eligible unit "chưa xác định" — never "đạt". Districts exist only before 01/07/2025.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion
from mtqg.reports.params import ReportParams

from .models import RECOGNISED_TIERS
from .selectors import tiers_on

RULES_FILE = Path(__file__).parent / "data" / "unit_registers.json"
DISTRICT_KINDS = (UnitVersion.Kind.DISTRICT, UnitVersion.Kind.TOWN, UnitVersion.Kind.PROVINCIAL_CITY)

ELIGIBLE = "du_dieu_kien"  # every computable condition met, the rest cannot be computed
NOT_MET = "chua_dat"
UNKNOWN = "chua_xac_dinh"
STATUS_LABELS = {
    ELIGIBLE: "Đủ điều kiện tính được từ kết quả xã; điều kiện khác chưa xác định",
    NOT_MET: "Chưa đạt",
    UNKNOWN: "Chưa xác định",
}


@cache
def rules() -> list[dict[str, Any]]:
    return list(json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"])


def rule_on(level: str, on: date) -> dict[str, Any] | None:
    """The register rule of a level ("district"/"province") in force on a date, else None."""
    for rule in rules():
        start, end = date.fromisoformat(rule["valid_from"]), date.fromisoformat(rule["valid_to"])
        if rule["level"] == level and start <= on <= end:
            return rule
    return None


def _condition(rule: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((c for c in rule["conditions"] if c["code"] == code), None)


def _rule_info(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": rule["code"],
        "name": rule["name"],
        "citation": rule["citation"],
        "unconfirmed": rule["unconfirmed"],
        "not_computable": [
            {"label": c["label"], "citation": c["citation"], "unconfirmed": c["unconfirmed"]}
            for c in rule["conditions"]
            if not c["computable"]
        ],
        "special_cases": rule.get("special_cases", []),
    }


def _commune_counts(root: UnitVersion, level: int, on: date) -> dict[int, tuple[int, int]]:
    """Ancestor unit id at `level` → (communes recognised đạt chuẩn or higher, communes of kind xã) under the
    root on the date: two queries (paths hold the ancestors' ids, "/country/province/district/commune/")."""
    communes = list(
        UnitVersion.objects.as_of(on)
        .filter(path__startswith=root.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE)
        .values_list("pk", "path")
    )
    tiers = tiers_on([c for c, _p in communes], on)
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for cid, path in communes:
        parts = path.strip("/").split("/")
        if len(parts) <= level:
            continue
        counts = out[int(parts[level])]
        counts[1] += 1
        counts[0] += 1 if tiers.get(cid) in RECOGNISED_TIERS else 0
    return {uid: (v[0], v[1]) for uid, v in out.items()}


def _share_met(cond: dict[str, Any] | None, part: int, whole: int) -> bool:
    return cond is None or (whole > 0 and part * 100 >= cond["share"] * whole)


def _communes_status(cond: dict[str, Any] | None, recognised: int, total: int, rest: str) -> tuple[str, str]:
    """The status a unit's share of recognised communes gives: NOT_MET with the condition's label when the share
    falls short, else ELIGIBLE with `rest` (what the register cannot check yet) as the note."""
    if not _share_met(cond, recognised, total):
        return NOT_MET, cond["label"] if cond else ""
    return ELIGIBLE, rest


def district_rows(unit: UnitVersion, on: date) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Every district (huyện, thị xã, TP thuộc tỉnh) under a pre-2025 unit on a date, with its commune
    recognitions and register status (QĐ 320/2022 with QĐ 211/2024's district without communes)."""
    rule = rule_on("district", on)
    if rule is None:
        return None, []
    districts = list(
        UnitVersion.objects.as_of(on)
        .filter(path__startswith=unit.path, level=UnitVersion.Level.DISTRICT, kind__in=DISTRICT_KINDS)
        .order_by("path")
    )
    counts = _commune_counts(unit, UnitVersion.Level.DISTRICT, on)
    cond = _condition(rule, "communes_recognised")
    rows = []
    for d in districts:
        recognised, total = counts.get(d.pk, (0, 0))
        if total == 0:
            status, note = UNKNOWN, rule["special_cases"][0]["label"]
        else:
            rest = _("Tiêu chí huyện và mức hài lòng chưa có trong hệ thống")
            status, note = _communes_status(cond, recognised, total, rest)
        rows.append(_status_row(d, total, recognised, status, note))
    return rule, rows


def _status_row(unit: UnitVersion, communes: int, recognised: int, status: str, note: str) -> dict[str, Any]:
    """One district's or province's line of the completion register."""
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "communes": communes,
        "recognised": recognised,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "note": note,
    }


def province_rows(unit: UnitVersion, on: date) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Every province under a unit valid on a date with its completion status (QĐ 321/2022 from the district
    register before 01/07/2025; QĐ 51/2025 Phụ lục III from commune recognitions after 15/02/2026)."""
    rule = rule_on("province", on)
    if rule is None:
        return None, []
    if unit.level == UnitVersion.Level.PROVINCE:
        provinces = [unit]
    else:
        provinces = list(
            UnitVersion.objects.as_of(on).filter(level=UnitVersion.Level.PROVINCE).order_by("name")
        )
    counts = _commune_counts(unit, UnitVersion.Level.PROVINCE, on)
    district_status: dict[int, list[str]] = defaultdict(list)
    by_districts = _condition(rule, "districts_eligible")
    if by_districts is not None and rule_on("district", on) is not None:
        for p in provinces:
            _r, drows = district_rows(p, on)
            district_status[p.pk] = [r["status"] for r in drows]
    cond = _condition(rule, "communes_recognised")
    rows = []
    for p in provinces:
        recognised, total = counts.get(p.pk, (0, 0))
        if by_districts is not None:
            statuses = district_status.get(p.pk, [])
            if not statuses:
                status, note = UNKNOWN, rule.get("after_districts", "")
            elif not _share_met(by_districts, sum(1 for s in statuses if s != NOT_MET), len(statuses)):
                status = NOT_MET
                note = _("%(n)s/%(m)s huyện chưa đủ điều kiện về xã") % {
                    "n": sum(1 for s in statuses if s == NOT_MET),
                    "m": len(statuses),
                }
            else:
                status, note = ELIGIBLE, _("Mọi huyện đủ điều kiện về xã; điều kiện khác chưa xác định")
        else:
            rest = _("Điều kiện khác của Phụ lục III chưa xác định")
            status, note = _communes_status(cond, recognised, total, rest)
        rows.append(_status_row(p, total, recognised, status, note))
    return rule, rows


def completed_provinces(on: date) -> int | None:
    """Provinces completing the NTM task on a date as far as the rules can tell: those "đủ điều kiện" (the
    programme target's progress); None when no rule applies on the date."""
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).first()
    if country is None:
        return None
    rule, rows = province_rows(country, on)
    if rule is None:
        return None
    return sum(1 for r in rows if r["status"] == ELIGIBLE)


def _unit_register(params: ReportParams, level: str) -> dict[str, Any]:
    on = params.on
    if level == "district" and on >= date(2025, 7, 1):
        raise ValidationError(
            {"as_of": _("Cấp huyện không còn từ 01/07/2025: sổ huyện NTM chỉ lập cho ngày trước đó.")}
        )
    if level == "district" and params.unit.structure == UnitVersion.Structure.Y2025:
        raise ValidationError({"unit": _("Sổ huyện NTM cần đơn vị trước 01/7/2025 (mã tỉnh cũ).")})
    rule, rows = (district_rows if level == "district" else province_rows)(params.unit, on)
    return {
        "unit": {"code": params.unit.code, "name": params.unit.name},
        "as_of": on.isoformat(),
        "rule": _rule_info(rule) if rule else None,
        "rule_note": "" if rule else _("Không có quy tắc mã hóa cho ngày này."),
        "units": len(rows),
        "eligible": sum(1 for r in rows if r["status"] == ELIGIBLE),
        "not_met": sum(1 for r in rows if r["status"] == NOT_MET),
        "unknown": sum(1 for r in rows if r["status"] == UNKNOWN),
        "rows": [{k: v for k, v in r.items() if k != "id"} for r in rows],
    }


def district_register(user: Any, params: ReportParams) -> dict[str, Any]:
    """Report `ntm-district-register`: districts under a pre-2025 unit before 01/07/2025 (QĐ 320/2022)."""
    return _unit_register(params, "district")


def province_register(user: Any, params: ReportParams) -> dict[str, Any]:
    """Report `ntm-province-register`: provinces completing the NTM task (QĐ 321/2022; QĐ 51/2025 Phụ lục III)."""
    return _unit_register(params, "province")
