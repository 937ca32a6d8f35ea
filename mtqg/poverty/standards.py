"""Poverty standards: the loader of data/standards.json and the one classification engine.

The engine is shared by the screens, the importer, the demo seed and `POST /api/v1/poverty/classify/`. The rule
(domain.md §3.2, poverty-standards.md §1) is parameterised by the data file, never by `if year ...`:

- I ≤ poor_any (QĐ 59/2015 only) → poor, whatever the deprivations;
- I ≤ line and D ≥ cutoff → poor; I ≤ line and D < cutoff → near-poor (income AND deprivations, never OR);
- cutoff null (income-only standards): I ≤ line → poor; I ≤ near_poor_upper → near-poor;
- line < I ≤ average_upper → average living standard; otherwise none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import predecessor_closure

from .models import Area, PovertyClass, PovertyStandard

DATA_FILE = Path(__file__).parent / "data" / "standards.json"
MAX_INCOME = Decimal(1_000_000_000)  # per person per month; above is treated as absurd input


@transaction.atomic
def _standard_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The fields a national and a local standard of the JSON file both state."""
    return {
        "instrument": item["instrument"],
        "title": item["title"],
        "citation": item.get("citation", ""),
        "year_from": item["year_from"],
        "year_to": item["year_to"],
        "lines": item["lines"],
        "unconfirmed": item.get("unconfirmed", False),
        "unconfirmed_notes": item.get("unconfirmed_notes", ""),
    }


def load_standards(path: Path = DATA_FILE) -> int:
    """Create or update the standards from the data file (idempotent). Returns the number of standards."""
    data = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    by_code: dict[str, PovertyStandard] = {}
    for item in data["standards"]:
        obj, _created = PovertyStandard.objects.update_or_create(
            code=item["code"],
            defaults={
                **_standard_fields(item),
                "province_code": "",
                "deprivation_cutoff": item.get("deprivation_cutoff"),
                "indicators": item.get("indicators", []),
                "base": None,
            },
        )
        by_code[obj.code] = obj
        count += 1
    for item in data.get("local_standards", []):
        base = by_code[item["base"]]
        PovertyStandard.objects.update_or_create(
            code=item["code"],
            defaults={
                **_standard_fields(item),
                "province_code": item["province"],
                "deprivation_cutoff": base.deprivation_cutoff,
                "indicators": base.indicators,
                "base": base,
            },
        )
        count += 1
    return count


def standard_for(year: int, *, province_code: str = "") -> PovertyStandard:
    """The national standard in force for a review year (or the provincial one if the province has one)."""
    qs = PovertyStandard.objects.filter(year_from__lte=year, year_to__gte=year)
    found = (
        qs.filter(province_code=province_code).first()
        if province_code
        else qs.filter(province_code="").first()
    )
    if found is None:
        raise ValidationError({"year": _("Không có chuẩn nghèo áp dụng cho năm %(y)s.") % {"y": year}})
    return found


def province_codes(province_code: str) -> list[str]:
    """The code and, through lineage, the codes of the provinces merged into it (e.g. 2025 Bắc Ninh 24 ← pre-2025
    Bắc Ninh 27 and Bắc Giang 24): local standards keyed to a pre-2025 code resolve for the merged province."""

    ids = set(UnitVersion.objects.filter(level=1, code=province_code).values_list("pk", flat=True))
    older = UnitVersion.objects.filter(pk__in=predecessor_closure(ids), level=1).values_list(
        "code", flat=True
    )
    return [province_code, *sorted(set(older) - {province_code})]


def local_standard_for(year: int, province_code: str) -> PovertyStandard | None:
    if not province_code:
        return None
    qs = PovertyStandard.objects.filter(year_from__lte=year, year_to__gte=year).exclude(province_code="")
    found = qs.filter(province_code=province_code).first()
    if found is None:
        codes = province_codes(province_code)
        found = qs.filter(province_code__in=codes).order_by("province_code").first()
    return found


@dataclass
class Result:
    poverty_class: str
    standard: PovertyStandard
    income_line: int
    deprivation_count: int
    reasons: list[str] = field(default_factory=list)
    area: str = "rural"
    income: int = 0

    def as_api(self) -> dict[str, Any]:
        return {
            "class": self.poverty_class,
            "standard": self.standard.instrument,
            "income_line": self.income_line,
            "reasons": self.reasons,
            "flags": self.flags,
        }

    @property
    def flags(self) -> list[str]:
        """Where this answer rests on an UNCONFIRMED boundary (data: lines[area]["unconfirmed"]), it says so."""
        return boundary_flags(self.standard, self.area, self.income, self.poverty_class)


def _vnd(value: int | Decimal) -> str:
    return number_vi(int(value))


def indicator_codes(standard: PovertyStandard) -> list[str]:
    return [i["code"] for i in standard.indicators]


def resolve_deprivations(
    standard: PovertyStandard, deprivations: int | Iterable[str]
) -> tuple[int, list[str]]:
    """(count, short names) from an integer or a list of indicator codes; ValidationError on unknown codes."""
    total = len(standard.indicators)
    if isinstance(deprivations, bool):
        raise ValidationError({"deprivations": _("Phải là số nguyên hoặc danh sách mã chỉ số.")})
    if isinstance(deprivations, int):
        limit = total or 99
        if not 0 <= deprivations <= limit:
            raise ValidationError(
                {"deprivations": _("Số chỉ số thiếu hụt phải từ 0 đến %(n)s.") % {"n": limit}}
            )
        return deprivations, []
    codes = list(deprivations)
    known = {i["code"]: i.get("short", i["name"]) for i in standard.indicators}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {
                "deprivations": _("Mã chỉ số không thuộc chuẩn %(s)s: %(c)s.")
                % {"s": standard.instrument, "c": ", ".join(map(str, unknown))}
            }
        )
    unique = list(dict.fromkeys(codes))
    return len(unique), [known[c] for c in unique]


def decide(lines: dict[str, Any], cutoff: int | None, income: int | Decimal, count: int) -> str:
    """The class rule itself (no formatting): used by classify_with and, row by row, by the importer and demo."""
    poor_any, line = lines.get("poor_any"), lines["line"]
    if poor_any is not None and income <= poor_any:
        return PovertyClass.POOR.value
    if income <= line:
        if cutoff is None or count >= cutoff:
            return PovertyClass.POOR.value
        return PovertyClass.NEAR_POOR.value
    near_upper, avg_upper = lines.get("near_poor_upper"), lines.get("average_upper")
    if cutoff is None and near_upper is not None and income <= near_upper:
        return PovertyClass.NEAR_POOR.value
    if avg_upper is not None and income <= avg_upper:
        return PovertyClass.AVERAGE.value
    return PovertyClass.NONE.value


def classify_with(
    standard: PovertyStandard, area: str, income: int | Decimal, deprivations: int | Iterable[str]
) -> Result:
    """Classify under a given standard. income: VND per person per month."""
    if area not in Area.values:
        raise ValidationError({"area": _("Khu vực phải là 'rural' (nông thôn) hoặc 'urban' (thành thị).")})
    income = Decimal(income)
    if income < 0 or income > MAX_INCOME or income != income.to_integral_value():
        raise ValidationError(
            {
                "income_per_capita_month": _("Thu nhập phải là số nguyên đồng, từ 0 đến %(m)s.")
                % {"m": _vnd(MAX_INCOME)}
            }
        )
    count, names = resolve_deprivations(standard, deprivations)
    lines = standard.lines[area]
    cutoff = standard.deprivation_cutoff
    poor_any, line = lines.get("poor_any"), lines["line"]
    near_upper, avg_upper = lines.get("near_poor_upper"), lines.get("average_upper")
    total = len(standard.indicators)
    dep_text = _("thiếu hụt %(d)s/%(n)s") % {"d": count, "n": total} if total else ""
    if names:
        dep_text += ": " + ", ".join(names)
    reasons: list[str] = []
    cls = decide(lines, cutoff, income, count)
    inc = _vnd(income)
    if poor_any is not None and income <= poor_any:
        reasons = [
            _("thu nhập %(i)s ≤ %(l)s (nghèo theo thu nhập, không xét thiếu hụt)")
            % {"i": inc, "l": _vnd(poor_any)}
        ]
        if dep_text:
            reasons.append(dep_text)
    elif income <= line:
        low = (_("%(p)s < ") % {"p": _vnd(poor_any)}) if poor_any is not None else ""
        reasons = [_("thu nhập %(low)s%(i)s ≤ %(l)s") % {"low": low, "i": inc, "l": _vnd(line)}]
        if cutoff is not None:
            sign = "≥" if count >= cutoff else "<"
            reasons.append(f"{dep_text} ({sign} {cutoff})")
    elif cutoff is None and near_upper is not None and income <= near_upper:
        reasons = [_("thu nhập %(l)s < %(i)s ≤ %(u)s") % {"l": _vnd(line), "i": inc, "u": _vnd(near_upper)}]
    elif avg_upper is not None and income <= avg_upper:
        reasons = [
            _("thu nhập %(l)s < %(i)s ≤ %(u)s (mức sống trung bình)")
            % {"l": _vnd(line), "i": inc, "u": _vnd(avg_upper)}
        ]
        if dep_text:
            reasons.append(dep_text + _(" (không xét khi thu nhập trên chuẩn)"))
    else:
        upper = avg_upper if avg_upper is not None else (near_upper if near_upper is not None else line)
        reasons = [_("thu nhập %(i)s > %(u)s") % {"i": inc, "u": _vnd(upper)}]
    income_line = int(poor_any if poor_any is not None else line)
    return Result(cls, standard, income_line, count, reasons, area, int(income))


def boundary_flags(standard: PovertyStandard, area: str, income: int, cls: str) -> list[str]:
    """Flags for the UNCONFIRMED boundaries an answer rests on (names listed in lines[area]["unconfirmed"])."""
    lines = standard.lines.get(area, {})
    marked = set(lines.get("unconfirmed", []))
    flags = []
    upper = lines.get("average_upper")
    if "average_upper" in marked and upper is not None and income == upper:
        flags.append(
            _("cận trên của mức sống trung bình (%(v)s) tính cả giá trị biên: chưa xác minh")
            % {"v": _vnd(upper)}
        )
    if "no_average_band" in marked and income > lines["line"]:
        flags.append(
            _(
                "chưa có mức sống trung bình trong văn bản đã xác minh: hộ trên chuẩn nghèo không xếp loại trung bình"
            )
        )
    if "local_near_poor" in marked and cls == PovertyClass.NEAR_POOR:
        flags.append(_("quy tắc cận nghèo theo chuẩn địa phương chưa xác minh"))
    return [f"{standard.instrument}: {f} (UNCONFIRMED)" for f in flags]


def classify(
    *, year: int, area: str, income: int | Decimal, deprivations: int | Iterable[str], province_code: str = ""
) -> Result:
    """Classify a household under the standard in force for the year: the province's local standard when it has
    one (also through lineage), otherwise the national one."""
    local = local_standard_for(year, province_code) if province_code else None
    return classify_with(local or standard_for(year), area, income, deprivations)


def classify_both(
    *, year: int, area: str, income: int | Decimal, deprivations: int | Iterable[str], province_code: str = ""
) -> tuple[Result, Result | None]:
    """(national result, local result or None): the API answers both where the province has a local standard."""
    national = classify_with(standard_for(year), area, income, deprivations)
    local = local_standard_for(year, province_code) if province_code else None
    return national, (classify_with(local, area, income, deprivations) if local else None)
