"""Measure definitions (data file) and the computation of summary facts from the program apps' records."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from mtqg.finance.models import (
    CapitalPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    Work,
)
from mtqg.finance.selectors import paid_by_statutory_day, plans_known_at_statutory_day
from mtqg.geo.models import UnitClassification, UnitVersion
from mtqg.ntm.models import TIER_RANK, Assessment, CriteriaSet, Recognition
from mtqg.ocop.models import Product
from mtqg.poverty.models import PovertyClass, Review, ReviewTally
from mtqg.supervision.models import Mission, Recommendation

from .models import SummaryFact

DATA_FILE = Path(__file__).parent / "data" / "measures.json"
ONE = Decimal(1)


@cache
def definitions() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def measures() -> dict[str, dict[str, Any]]:
    return {m["code"]: m for m in definitions()["measures"]}


def kind_of(measure: str) -> str:
    return str(measures()[measure]["kind"])


def years() -> list[int]:
    """Years facts are kept for: the data file's first year to the current year."""
    return list(range(int(definitions()["first_year"]), timezone.localdate().year + 1))


def _year_end(year: int) -> date:
    return date(year, 12, 31)


FactKey = tuple[str, int, int, str, str]  # measure, unit_id, year, period, key
ROW_COLUMNS = (
    "measure",
    "unit_id",
    "year",
    "period",
    "key",
    "numerator",
    "denominator",
    "computed_at",
    "unit_path",
)


class Accumulator:
    """Facts keyed by (measure, unit, year, period, key), summed as they are added."""

    def __init__(self) -> None:
        self.values: dict[FactKey, list[Decimal | None]] = {}

    def add(
        self,
        measure: str,
        unit_id: int,
        year: int,
        value: Any,
        denominator: Any = None,
        *,
        period: str = "",
        key: str = "",
    ) -> None:
        slot = self.values.setdefault((measure, unit_id, year, period, key), [Decimal(0), None])
        slot[0] = (slot[0] or Decimal(0)) + Decimal(value or 0)
        if denominator is not None:
            slot[1] = (slot[1] or Decimal(0)) + Decimal(denominator)

    def rows(self, computed_at: Any, paths: dict[int, str]) -> Iterator[tuple[Any, ...]]:
        """The facts as tuples in ROW_COLUMNS order (bulk loading without model instances)."""
        zero = Decimal(0)
        for (measure, unit_id, year, period, key), (num, den) in self.values.items():
            yield (measure, unit_id, year, period, key[:80], num or zero, den, computed_at, paths[unit_id])

    def facts(self, computed_at: datetime, paths: dict[int, str]) -> Iterator[SummaryFact]:
        for (measure, unit_id, year, period, key), (num, den) in self.values.items():
            yield SummaryFact(
                unit_path=paths[unit_id],
                measure=measure,
                unit_id=unit_id,
                year=year,
                period=period,
                key=key[:80],
                numerator=num or Decimal(0),
                denominator=den,
                computed_at=computed_at,
            )


def _communes(prefix: str, lk: str) -> list[dict[str, Any]]:
    rows = UnitVersion.objects.filter(
        **{lk: prefix}, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
    ).values("pk", "valid_from", "valid_to")
    return [dict(r) for r in rows]


def _valid_years(unit: dict[str, Any], span: list[int]) -> list[int]:
    """Years whose 31/12 falls inside the unit's validity (as-reported units of that year)."""
    out = []
    for y in span:
        end = _year_end(y)
        if (unit["valid_from"] is None or unit["valid_from"] <= end) and (
            unit["valid_to"] is None or end <= unit["valid_to"]
        ):
            out.append(y)
    return out


def ntm_facts(acc: Accumulator, prefix: str, span: list[int], lk: str = "path__startswith") -> None:
    communes = _communes(prefix, lk)
    assessments: dict[int, list[tuple[date, int, int, int, bool]]] = defaultdict(list)
    for cid, on, year, met, total, provisional in (
        Assessment.objects.filter(
            **{"commune__" + lk: prefix}, criteria_set__tier=CriteriaSet.SetTier.STANDARD
        )
        .order_by("assessed_on", "year")
        .values_list("commune_id", "assessed_on", "year", "criteria_met", "criteria_total", "provisional")
    ):
        assessments[cid].append((on, year, met, total, provisional))
    recognitions: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
    for cid, decided, revoked, tier in Recognition.objects.filter(**{"commune__" + lk: prefix}).values_list(
        "commune_id", "decision_date", "revoked_on", "tier"
    ):
        recognitions[cid].append((decided, revoked, tier))
    grouped = _grouped_communes(prefix, lk)
    for c in communes:
        cid = c["pk"]
        for y in _valid_years(c, span):
            end = _year_end(y)
            acc.add("ntm.communes", cid, y, ONE)
            latest = None
            for item in assessments.get(cid, ()):
                if item[0] <= end:
                    latest = item
            if latest is not None:
                acc.add("ntm.assessed", cid, y, ONE, latest[3], key=str(latest[2]))
                if latest[4]:  # "tạm tính": computed with an unconfirmed threshold (ntm decision record 0113)
                    acc.add("ntm.provisional", cid, y, ONE)
            best = None
            for decided, revoked, tier in recognitions.get(cid, ()):
                valid = decided <= end and (revoked is None or revoked > end)
                if valid and (best is None or TIER_RANK[tier] > TIER_RANK[best]):  # type: ignore[index]
                    best = tier
            if best is not None:
                acc.add("ntm.tier", cid, y, ONE, key=best)
            if y >= GROUPS_FROM_YEAR and not any(
                (s is None or s <= end) and (e is None or end <= e) for s, e in grouped.get(cid, ())
            ):
                acc.add("ntm.no_group", cid, y, ONE)  # QĐ 51/2025 group not assigned (decision record 0110)


GROUPS_FROM_YEAR = 2026


def _grouped_communes(prefix: str, lk: str) -> dict[int, list[tuple[date | None, date | None]]]:
    out: dict[int, list[tuple[date | None, date | None]]] = defaultdict(list)
    for uid, start, end in UnitClassification.objects.filter(
        **{"unit__" + lk: prefix}, scheme__code="commune_group_2026"
    ).values_list("unit_id", "valid_from", "valid_to"):
        out[uid].append((start, end))
    return out


AREA_CLASSES = (  # poverty fact key → (classification scheme, value or None = any value, on the commune's district?)
    ("class=p30a", "poor_district_30a", "yes", True),
    ("class=d293", "district_293", "yes", True),
    ("class=p135", "p135_commune", None, False),
)


def _area_classes(
    commune_ids: set[int], everything: bool
) -> dict[int, list[tuple[str, date | None, date | None]]]:
    """Commune id → [(fact key, valid from, valid to)] of the targeting classes it belongs to: its district is a
    poor (30a) or QĐ 293 district, or it is a Program 135 commune (any value) — the classes the poverty app's
    `by_area_class` uses."""

    parents = dict(UnitVersion.objects.filter(pk__in=commune_ids).values_list("pk", "parent_id"))
    rows = UnitClassification.objects.filter(scheme__code__in=[a[1] for a in AREA_CLASSES])
    if not everything:
        rows = rows.filter(unit_id__in=set(parents) | {p for p in parents.values() if p})
    by_unit: dict[int, list[tuple[str, str, date | None, date | None]]] = defaultdict(list)
    for uid, scheme, value, start, end in rows.values_list(
        "unit_id", "scheme__code", "value", "valid_from", "valid_to"
    ):
        by_unit[uid].append((scheme, value, start, end))
    out: dict[int, list[tuple[str, date | None, date | None]]] = {}
    for cid in commune_ids:
        found = []
        for key, scheme, wanted, on_district in AREA_CLASSES:
            holder = parents.get(cid) if on_district else cid
            for s, value, start, end in by_unit.get(holder or -1, ()):
                if s == scheme and (wanted is None or value == wanted):
                    found.append((key, start, end))
        if found:
            out[cid] = found
    return out


def poverty_facts(acc: Accumulator, prefix: str, lk: str = "path__startswith") -> None:
    """From the poverty app's review tallies (counts per commune, year, class, ethnicity, area kept in the
    writer's transaction, decision 0206): a few rows per commune instead of every review. Keys: "" (total),
    area=…, eth=…, and class=p30a|d293|p135 for communes in a targeting class on 31/12 of the year (0717)."""

    rows = list(
        ReviewTally.objects.filter(**{"commune__" + lk: prefix}, kind=Review.Kind.PERIODIC)
        .values("commune_id", "year", "area", "ethnicity")
        .annotate(
            n=Sum("households"),
            poor=Sum("households", filter=Q(poverty_class=PovertyClass.POOR)),
            near=Sum("households", filter=Q(poverty_class=PovertyClass.NEAR_POOR)),
        )
        .order_by()
    )
    classes = _area_classes({r["commune_id"] for r in rows}, everything=prefix == "")
    for r in rows:
        end = _year_end(r["year"])
        keys = ["", f"area={r['area']}", f"eth={r['ethnicity'] or '?'}"]
        keys += sorted(
            {
                key
                for key, start, stop in classes.get(r["commune_id"], ())
                if (start is None or start <= end) and (stop is None or end <= stop)
            }
        )
        for key in keys:
            acc.add("poverty.poor", r["commune_id"], r["year"], r["poor"] or 0, r["n"], key=key)
            acc.add("poverty.near_poor", r["commune_id"], r["year"], r["near"] or 0, r["n"], key=key)


def _program_roots() -> dict[int, str]:
    programs = {p.pk: (p.parent_id, p.code) for p in Program.objects.all()}

    def root(pk: int) -> str:
        while programs[pk][0]:
            pk = programs[pk][0]  # type: ignore[assignment]
        return programs[pk][1]

    return {pk: root(pk) for pk in programs}


def finance_facts(acc: Accumulator, prefix: str, lk: str = "path__startswith") -> None:
    """Plans and payments on the headline basis of every disbursement rate (decision 0015): the lines and payments
    `finance.selectors.plan_rows`/`disbursement_rows` count at the statutory as-of date of their year (31/01 N+1),
    carry-over included; carried lines and payments are keyed "program|source|co" so a page can leave them out.
    Payments in January N+1 are period M13; later payments (extensions) are not facts."""

    roots = _program_roots()
    carried = {CapitalPlan.Vintage.CARRY_OVER, CapitalPlan.Vintage.EXTENDED}
    for r in (
        CapitalPlan.objects.filter(**{"unit__" + lk: prefix})
        .filter(plans_known_at_statutory_day())
        .values("unit_id", "year", "program_id", "source", "vintage")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        co = "|co" if r["vintage"] in carried else ""
        acc.add(
            "finance.plan", r["unit_id"], r["year"], r["s"], key=f"{roots[r['program_id']]}|{r['source']}{co}"
        )
    for d in (
        Disbursement.objects.filter(**{"allocation__unit__" + lk: prefix})
        .filter(paid_by_statutory_day())
        .annotate(py=ExtractYear("paid_on"), pm=ExtractMonth("paid_on"))
        .values(
            "allocation__unit_id",
            "allocation__year",
            "allocation__program_id",
            "allocation__source",
            "allocation__carry_over",
            "py",
            "pm",
        )
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        year = d["allocation__year"]
        month = d["pm"] if d["py"] == year else 13
        co = "|co" if d["allocation__carry_over"] else ""
        acc.add(
            "finance.disbursed",
            d["allocation__unit_id"],
            year,
            d["s"],
            period=f"M{month:02d}",
            key=f"{roots[d['allocation__program_id']]}|{d['allocation__source']}{co}",
        )


def output_facts(acc: Accumulator, prefix: str, lk: str = "path__startswith") -> None:
    indicators = list(Indicator.objects.select_related("program"))
    by_kind: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ind in indicators:
        if ind.origin == Indicator.Origin.WORKS:
            by_kind[ind.work_kind].append((ind.code, ind.program.code if ind.program else ""))
    for cid, year, program_code, kind, n in (
        Work.objects.filter(**{"commune__" + lk: prefix})
        .exclude(status=Work.Status.PLANNED)
        .values_list("commune_id", "year", "program__code", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        root = program_code.split(".")[0]
        for code, ind_root in by_kind.get(kind, ()):
            if not ind_root or ind_root == root:
                acc.add("output.actual", cid, year, n, key=code)
    codes = {ind.pk: ind.code for ind in indicators}
    entry_ids = [ind.pk for ind in indicators if ind.origin != Indicator.Origin.WORKS]
    for uid, year, ind_id, s in (
        IndicatorValue.objects.filter(**{"unit__" + lk: prefix}, indicator_id__in=entry_ids)
        .values_list("unit_id", "year", "indicator_id")
        .annotate(s=Sum("value"))
        .order_by()
    ):
        acc.add("output.actual", uid, year, s, key=codes[ind_id])
    for uid, year, ind_id, s in (
        IndicatorTarget.objects.filter(**{"unit__" + lk: prefix})
        .values_list("unit_id", "year", "indicator_id")
        .annotate(s=Sum("target"))
        .order_by()
    ):
        acc.add("output.target", uid, year, s, key=codes[ind_id])


def supervision_facts(acc: Accumulator, prefix: str, lk: str = "path__startswith") -> None:
    rows = list(
        Recommendation.objects.filter(**{"mission__unit__" + lk: prefix})
        .annotate(y=ExtractYear("mission__start_date"))
        .values_list("mission_id", "mission__unit_id", "y", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    covers = program_covers()
    programs = dict(Mission.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "programs"))
    for mission_id, uid, year, status, n in rows:
        acc.add("sup.recommendations", uid, year, n, key=status)
        listed = set(programs.get(mission_id) or ())
        for root, codes in covers.items():
            if not listed or listed & codes:  # a mission naming no program concerns every program
                acc.add("sup.recommendations_program", uid, year, n, key=f"{root}|{status}")


def program_covers() -> dict[str, set[str]]:
    """Dashboard program root → the mission program codes it covers (data: measures.json)."""
    return {k: set(v) for k, v in definitions()["mission_programs"].items()}


def ocop_facts(acc: Accumulator, prefix: str, lk: str = "path__startswith") -> None:
    for cid, year, stars, n in (
        Product.objects.filter(**{"commune__" + lk: prefix}, current_rating__isnull=False)
        .values_list("commune_id", "current_rating__round_year", "current_rating__stars")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        acc.add("ocop.products", cid, year, n, key=str(stars))


def compute(prefix: str, *, exact: bool = False) -> Accumulator:
    """Every fact for the units under a path prefix ("" = the whole country), or (exact) on that unit only."""
    lk = "path" if exact else "path__startswith"
    acc = Accumulator()
    ntm_facts(acc, prefix, years(), lk)
    poverty_facts(acc, prefix, lk)
    finance_facts(acc, prefix, lk)
    output_facts(acc, prefix, lk)
    supervision_facts(acc, prefix, lk)
    ocop_facts(acc, prefix, lk)
    return acc
