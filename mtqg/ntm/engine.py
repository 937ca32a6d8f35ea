"""The rule engine: indicator values + thresholds (data) → criterion statuses with Vietnamese explanations.

Set-based: `recompute()` reads thresholds once per set, all values of the assessments in one query, and writes
results with bulk inserts — no per-row queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from mtqg.core.formatting import number_vi
from mtqg.geo.models import UnitClassification
from mtqg.poverty.models import PovertyClass, ReviewTally

from .models import (
    Assessment,
    CriteriaSet,
    Criterion,
    CriterionOverride,
    CriterionResult,
    Indicator,
    IndicatorValue,
    Status,
    Threshold,
)

REGION_LABELS = {
    "tdmnpb": "TDMNPB",
    "dbsh": "ĐBSH",
    "btb": "BTB",
    "dhntb": "DHNTB",
    "tn": "TN",
    "dnb": "ĐNB",
    "dbscl": "ĐBSCL",
    "1": "nhóm 1",
    "2": "nhóm 2",
    "3": "nhóm 3",
    Threshold.ALL: "mọi vùng",
}


REFERENCE_NOTE = "tham khảo, chưa có ngưỡng nên không tính vào trạng thái tiêu chí"
UNCONFIRMED_FLAG = "[ngưỡng chưa xác minh]"  # a result using it is "tạm tính" (decision record 0113)
GROUP_SCHEME = "commune_group_2026"
NO_GROUP_NOTE = (
    "Chưa xác định nhóm xã: tỉnh chưa phân nhóm xã theo QĐ 51/2025/QĐ-TTg, chưa có ngưỡng để đánh giá"
)


def region_label(region: str) -> str:
    if not region:
        return "(chưa xác định vùng)"
    label = REGION_LABELS.get(region, region)
    return label if label.startswith("nhóm") or region == Threshold.ALL else f"vùng {label}"


@dataclass(frozen=True)
class Rule:
    region: str
    year: int | None
    op: str
    value: Decimal | None
    basic: Decimal | None
    unconfirmed: bool


@dataclass(frozen=True)
class Ind:
    id: int
    code: str
    value_type: str
    unit_label: str
    if_applicable: bool
    register: str = ""  # "poor" / "poor_near_poor": computed from the household register where it covers
    reference: bool = False  # shown with its source, not counted in the criterion's status (no threshold yet)


class Book:
    """Everything needed to evaluate one criteria set, loaded in three queries."""

    def __init__(self, criteria_set_id: int) -> None:
        self.set = CriteriaSet.objects.get(pk=criteria_set_id)
        self.criteria = list(
            Criterion.objects.filter(criteria_set_id=criteria_set_id)
            .order_by("number")
            .values_list("id", "number", "name")
        )
        self.indicators: dict[int, list[Ind]] = defaultdict(list)
        self.by_code: dict[str, Ind] = {}
        for row in (
            Indicator.objects.filter(criterion__criteria_set_id=criteria_set_id)
            .order_by("order")
            .values_list(
                "id",
                "criterion_id",
                "code",
                "value_type",
                "unit_label",
                "if_applicable",
                "register_measure",
                "reference_only",
            )
        ):
            ind = Ind(row[0], row[2], row[3], row[4], row[5], row[6], row[7])
            self.indicators[row[1]].append(ind)
            self.by_code[ind.code] = ind
        self.rules: dict[int, list[Rule]] = defaultdict(list)
        for t in Threshold.objects.filter(indicator__criterion__criteria_set_id=criteria_set_id).values_list(
            "indicator_id", "region", "year", "op", "value", "basic_value", "unconfirmed"
        ):
            self.rules[t[0]].append(Rule(*t[1:]))

    @property
    def total(self) -> int:
        return len(self.criteria)

    def rule(self, indicator_id: int, region: str, year: int) -> Rule | None:
        """Region-specific row first, then an 'all' row; within it the assessment year, else the latest earlier
        year, else the row without a year. 'chung' rows are never used for a region (decision record 0102)."""
        rows = self.rules.get(indicator_id, [])
        for key in (region, Threshold.ALL):
            if not key:
                continue
            candidates = [r for r in rows if r.region == key]
            exact = [r for r in candidates if r.year == year]
            if exact:
                return exact[0]
            earlier = [r for r in candidates if r.year is not None and r.year < year]
            if earlier:
                return max(earlier, key=lambda r: r.year or 0)
            plain = [r for r in candidates if r.year is None]
            if plain:
                return plain[0]
        return None


def fmt(value: Decimal | None, ind: Ind) -> str:
    if value is None:
        return "—"
    if ind.value_type == Indicator.Type.BOOL:
        return "đạt" if value == 1 else "không đạt"
    decimals = 0 if value == value.to_integral_value() else 2
    text = number_vi(value, decimals).rstrip("0").rstrip(",") if decimals else number_vi(value, 0)
    if ind.unit_label == "%":
        return f"{text}%"
    return f"{text} {ind.unit_label}".strip()


def _passes(op: str, value: Decimal, limit: Decimal | None) -> bool:
    if op == Threshold.Op.GE:
        return limit is not None and value >= limit
    if op == Threshold.Op.LE:
        return limit is not None and value <= limit
    if op == Threshold.Op.TRUE:
        return value == 1
    if op == Threshold.Op.ZERO:
        return value == 0
    return False


def evaluate_indicator(
    ind: Ind, value: Decimal | None, not_applicable: bool, rule: Rule | None, region: str, year: int
) -> tuple[str, str]:
    """(status, Vietnamese explanation) of one indicator."""
    code = ind.code
    if not_applicable:
        if ind.if_applicable:
            return Status.NA, f"{code}: không áp dụng (chỉ tiêu 'nếu có')"
        return Status.UNKNOWN, f"{code}: chỉ tiêu bắt buộc, không được đánh dấu 'không áp dụng'"
    if value is None:
        return Status.UNKNOWN, f"{code}: chưa có số liệu"
    if rule is None:
        return Status.UNKNOWN, f"{code}: chưa có ngưỡng cho {region_label(region)} năm {year}"
    where = region_label(rule.region if rule.region != Threshold.ALL else region)
    flag = f" {UNCONFIRMED_FLAG}" if rule.unconfirmed else ""
    if rule.op in (Threshold.Op.TRUE, Threshold.Op.ZERO):
        need = "đạt" if rule.op == Threshold.Op.TRUE else "không có"
        shown = fmt(value, ind) if rule.op == Threshold.Op.TRUE else number_vi(value)
        if _passes(rule.op, value, rule.value):
            return Status.MET, f"{code}: {shown} (yêu cầu {need}){flag}"
        return Status.NOT_MET, f"{code}: {shown}, yêu cầu {need} ({where}){flag}"
    sign = "≥" if rule.op == Threshold.Op.GE else "≤"
    bad = "<" if rule.op == Threshold.Op.GE else ">"
    limit = fmt(rule.value, ind)
    if _passes(rule.op, value, rule.value):
        return Status.MET, f"{code}: {fmt(value, ind)} {sign} {limit} yêu cầu {where}{flag}"
    if rule.basic is not None and _passes(rule.op, value, rule.basic):
        return Status.BASIC, (
            f"{code}: {fmt(value, ind)} {bad} {limit} yêu cầu {where}, đạt mức cơ bản "
            f"{sign} {fmt(rule.basic, ind)}{flag}"
        )
    return Status.NOT_MET, f"{code}: {fmt(value, ind)} {bad} {limit} yêu cầu {where}{flag}"


def combine(statuses: list[str]) -> str:
    """Criterion status from its indicators' statuses."""
    if not statuses:
        return Status.UNKNOWN
    if all(s == Status.NA for s in statuses):
        return Status.NA
    for status in (Status.NOT_MET, Status.UNKNOWN, Status.BASIC):
        if status in statuses:
            return status
    return Status.MET


def evaluate(
    book: Book,
    region: str,
    year: int,
    values: dict[int, tuple[Decimal | None, bool]],
    sources: dict[int, str] | None = None,
) -> list[tuple[int, str, list[str]]]:
    """[(criterion_id, status, explanations)] for one assessment."""
    out: list[tuple[int, str, list[str]]] = []
    no_group = not region and book.set.dimension_scheme == GROUP_SCHEME
    for crit_id, _number, _name in book.criteria:
        if no_group:  # QĐ 51/2025: thresholds are per commune group; none assigned yet (decision record 0110)
            out.append((crit_id, Status.UNKNOWN, [NO_GROUP_NOTE]))
            continue
        inds = book.indicators.get(crit_id, [])
        if not inds:
            out.append(
                (crit_id, Status.UNKNOWN, ["Bộ tiêu chí chưa có chỉ tiêu cho tiêu chí này (chưa mã hóa)"])
            )
            continue
        statuses, notes = [], []
        for ind in inds:
            value, na = values.get(ind.id, (None, False))
            if ind.reference:  # shown with its source, never counted (decision record 0126)
                note = f"{ind.code}: {fmt(value, ind)} — {REFERENCE_NOTE}"
            else:
                status, note = evaluate_indicator(
                    ind, value, na, book.rule(ind.id, region, year), region, year
                )
                statuses.append(status)
            if sources and ind.id in sources:
                note = f"{note} ({sources[ind.id]})"
            notes.append(note)
        out.append((crit_id, combine(statuses), notes))
    return out


def counts(statuses: Iterable[str]) -> tuple[int, int, int]:
    """(met, basic, unknown); a criterion 'không áp dụng' counts as met (decision record 0102)."""
    met = basic = unknown = 0
    for s in statuses:
        if s in (Status.MET, Status.NA):
            met += 1
        elif s == Status.BASIC:
            basic += 1
        elif s == Status.UNKNOWN:
            unknown += 1
    return met, basic, unknown


def resolve_regions(criteria_set: CriteriaSet, commune_ids: Iterable[int], on: date) -> dict[int, str]:
    """The threshold region/group of each commune on a date, with the set's override rules (e.g. R3)."""
    ids = list(commune_ids)
    regions: dict[int, str] = {}
    rows = (
        UnitClassification.objects.as_of(on)
        .filter(unit_id__in=ids, scheme__code=criteria_set.dimension_scheme)
        .order_by("valid_from")
        .values_list("unit_id", "value")
    )
    for unit_id, value in rows:
        regions[unit_id] = value
    for rule in criteria_set.region_overrides or []:
        hits = UnitClassification.objects.as_of(on).filter(
            unit_id__in=ids, scheme__code=rule["scheme"], value__in=rule["values"]
        )
        if rule.get("district_scheme"):  # e.g. "xã ATK thuộc huyện nghèo": the parent district's class
            districts = UnitClassification.objects.as_of(on).filter(
                scheme__code=rule["district_scheme"], value__in=rule.get("district_values", ["yes"])
            )
            hits = hits.filter(unit__parent_id__in=districts.values("unit_id"))
        for unit_id in hits.values_list("unit_id", flat=True):
            regions[unit_id] = rule["region"]
    return regions


@transaction.atomic
def recompute(assessments: QuerySet[Assessment], *, refresh_regions: bool = True) -> int:
    """Recompute statuses and counts of the given assessments in bulk; returns the number of assessments."""
    rows = list(
        assessments.values_list("id", "criteria_set_id", "year", "region", "commune_id", "assessed_on")
    )
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    books: dict[int, Book] = {}
    for set_id in {r[1] for r in rows}:
        books[set_id] = Book(set_id)
    regions: dict[int, str] = {r[0]: r[3] for r in rows}
    if refresh_regions:
        groups: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
        for aid, set_id, _y, _r, commune_id, on in rows:
            groups[(set_id, on)].append((aid, commune_id))
        for (set_id, on), members in groups.items():
            found = resolve_regions(books[set_id].set, [c for _a, c in members], on)
            for aid, commune_id in members:
                regions[aid] = found.get(commune_id, "")
    id_filter = Q(assessment_id__in=assessments.values("id"))
    values: dict[int, dict[int, tuple[Decimal | None, bool]]] = defaultdict(dict)
    value_rows = IndicatorValue.objects.filter(id_filter).values_list(
        "assessment_id", "indicator_id", "value", "not_applicable"
    )
    for aid, ind_id, value, na in value_rows.iterator(chunk_size=20000):
        values[aid][ind_id] = (value, na)
    sources = _register_values(books, rows, values)
    overrides = {
        (a, c): s
        for a, c, s in CriterionOverride.objects.filter(id_filter).values_list(
            "assessment_id", "criterion_id", "status"
        )
    }
    results: list[tuple[Any, ...]] = []
    summary: dict[int, tuple[int, int, int, int, bool]] = {}
    for aid, set_id, year, _region, _commune, _on in rows:
        book = books[set_id]
        final = []
        any_provisional = False
        for crit_id, status, notes in evaluate(
            book, regions[aid], year, values.get(aid, {}), sources.get(aid)
        ):
            override = overrides.get((aid, crit_id))
            final_status = override or status
            final.append(final_status)
            provisional = override is None and any(UNCONFIRMED_FLAG in n for n in notes)
            any_provisional = any_provisional or provisional
            results.append(
                (
                    aid,
                    crit_id,
                    str(status),
                    str(final_status),
                    json.dumps(notes, ensure_ascii=False),
                    override is not None,
                    provisional,
                )
            )
        met, basic, unknown = counts(final)
        summary[aid] = (met, basic, unknown, book.total, any_provisional)
    now = timezone.now()
    CriterionResult.objects.filter(id_filter).delete()
    _write(results, [(m, b, u, t, regions[aid], now, pr, aid) for aid, (m, b, u, t, pr) in summary.items()])
    return len(ids)


def fallback_source(year: int) -> str:
    """The source said for a register indicator whose commune-year no periodic review covers: the typed value."""
    return f"số liệu nhập; chưa có rà soát định kỳ năm {year} của xã"


def _register_values(
    books: dict[int, Book],
    rows: list[tuple[Any, ...]],
    values: dict[int, dict[int, tuple[Decimal | None, bool]]],
) -> dict[int, dict[int, str]]:
    """Criterion 11 from the household register (decision record 0115): where the periodic review of the
    assessment year covers the commune, the poverty rate (poor, or poor + near-poor, as the indicator says) replaces
    the typed value in the evaluation; the typed value stays as the fallback. One query."""

    register = {
        sid: [i for inds in b.indicators.values() for i in inds if i.register] for sid, b in books.items()
    }
    wanted = [(aid, sid, year, commune) for aid, sid, year, _r, commune, _on in rows if register.get(sid)]
    if not wanted:
        return {}
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for commune, year, cls, n in (
        ReviewTally.objects.filter(
            commune_id__in={w[3] for w in wanted}, year__in={w[2] for w in wanted}, kind="periodic"
        )
        .values_list("commune_id", "year", "poverty_class")
        .annotate(n=Sum("households"))
        .order_by()
    ):
        counts[(commune, year)][cls] += n
    sources: dict[int, dict[int, str]] = defaultdict(dict)
    for aid, sid, year, commune in wanted:
        tally: dict[str, int] = counts.get((commune, year)) or {}
        total = sum(tally.values())
        if not total:  # the typed value is the fallback; its source is said
            for ind in register[sid]:
                if values[aid].get(ind.id, (None, False))[0] is not None:
                    sources[aid][ind.id] = fallback_source(year)
            continue
        for ind in register[sid]:
            classes = [str(PovertyClass.POOR)] + (
                [str(PovertyClass.NEAR_POOR)] if ind.register == "poor_near_poor" else []
            )
            n = sum(tally.get(c, 0) for c in classes)
            rate = (Decimal(n * 100) / Decimal(total)).quantize(Decimal("0.01"))
            values[aid][ind.id] = (rate, False)
            sources[aid][ind.id] = (
                f"tính từ sổ hộ: {number_vi(n)}/{number_vi(total)} hộ, rà soát định kỳ năm {year}"
            )
    return sources


def _write(results: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
    """Insert results and update assessment counts with prepared statements (executemany): the ORM's
    bulk_update builds one CASE per row and was the slowest step (decision record 0103)."""
    qn = connection.ops.quote_name
    res = qn(CriterionResult._meta.db_table)
    cols = ", ".join(
        qn(c)
        for c in (
            "assessment_id",
            "criterion_id",
            "computed_status",
            "status",
            "explanation",
            "overridden",
            "provisional",
        )
    )
    ass = qn(Assessment._meta.db_table)
    sets = ", ".join(
        f"{qn(c)} = %s"
        for c in (
            "criteria_met",
            "criteria_basic",
            "criteria_unknown",
            "criteria_total",
            "region",
            "computed_at",
            "provisional",
        )
    )
    now_value = connection.ops.adapt_datetimefield_value(updates[0][5]) if updates else None
    with connection.cursor() as cursor:
        for start in range(0, len(results), 5000):
            cursor.executemany(
                f"INSERT INTO {res} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                results[start : start + 5000],
            )
        cursor.executemany(
            f"UPDATE {ass} SET {sets} WHERE {qn('id')} = %s",
            [(*u[:5], now_value, u[6], u[7]) for u in updates],
        )


def basic_tier_ok(criteria_set: CriteriaSet, met: int, statuses: list[str]) -> bool:
    """The provincial 'cơ bản đạt chuẩn' rule of a set (data: min_met, max_not_met)."""
    rule: dict[str, Any] = criteria_set.basic_tier_rule or {}
    if not rule:
        return False
    not_met = sum(1 for s in statuses if s in (Status.NOT_MET, Status.UNKNOWN))
    return met >= int(rule.get("min_met", len(statuses))) and not_met <= int(rule.get("max_not_met", 0))
