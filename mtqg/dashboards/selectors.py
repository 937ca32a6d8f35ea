"""Read side of the dashboards: summed facts for a unit, as reported or on today's units (through lineage).

As reported: facts on every version of the unit's identity (the units that existed in each year).
On today's units: facts of the unit's lineage predecessors mapped forward through UnitLineage to units valid today;
additive measures apportioned by the edge's share (else equal parts), statuses counted whole on each successor
("n of m predecessor communes"), rates recomputed from the apportioned numerators and denominators.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import F, Max, Q, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import get_language

from mtqg.core.scoping import path_q
from mtqg.geo.models import UnitVersion

from . import rollups
from .lineage import current_map
from .measures import kind_of
from .models import FactsStamp, PendingRefresh, SummaryFact, UnitStamp
from .services import path_range, stamp_prefix
from .services import unit_prefixes as _lineage_prefixes

PREFIX_CACHE_SECONDS = 600
PAGE_CACHE_SECONDS = 600

REPORTED = "reported"
CURRENT = "current"
MODES = (REPORTED, CURRENT)
Row = tuple[str, int, str, str]  # measure, year, period, key
Sums = dict[Row, list[Decimal]]


def panel_cache() -> Any:
    """The cache of dashboards: the "dashboards" alias when settings define one (a cache shared by every worker,
    e.g. file-based or Redis: decision 0711), else the default cache."""

    return caches["dashboards" if "dashboards" in settings.CACHES else "default"]


def _cached_prefixes(unit: UnitVersion) -> None:
    """Identity and lineage prefixes of a unit, from the cache when another request computed them (units and
    lineage are reference data; 10 minutes)."""
    if getattr(unit, "_identity_prefixes", None) is not None and getattr(unit, "_lineage_prefixes", None):
        return
    key = f"dashboards:prefixes:{unit.pk}:{unit.path}"
    hit = panel_cache().get(key)
    if hit is None:
        hit = (_identity(unit), _lineage_prefixes(unit))
        panel_cache().set(key, hit, PREFIX_CACHE_SECONDS)
    unit._identity_prefixes, unit._lineage_prefixes = hit  # type: ignore[attr-defined]


def unit_prefixes(unit: UnitVersion) -> tuple[str, ...]:
    """Minimal path prefixes covering the unit, its other versions and their lineage predecessors."""
    _cached_prefixes(unit)
    return tuple(unit._lineage_prefixes)  # type: ignore[attr-defined]


def identity_prefixes(unit: UnitVersion) -> tuple[str, ...]:
    """Paths of every version of the unit's identity (as-reported scope)."""
    _cached_prefixes(unit)
    return tuple(unit._identity_prefixes)  # type: ignore[attr-defined]


def _identity(unit: UnitVersion) -> tuple[str, ...]:
    cached = getattr(unit, "_identity_prefixes", None)
    if cached is not None:
        return tuple(cached)
    paths = sorted(UnitVersion.objects.filter(unit_id=unit.unit_id).values_list("path", flat=True), key=len)
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept) or (unit.path,)


def _base(user: Any, prefixes: Iterable[str]) -> Any:
    qs = SummaryFact.objects.all() if user is None else SummaryFact.objects.visible_to(user)
    return qs.filter(path_range("unit_path", tuple(prefixes)))


def _fold(rows: Iterable[dict[str, Any]]) -> Sums:
    out: Sums = {}
    for r in rows:
        out[(r["measure"], r["year"], r["period"], r["key"])] = [
            r["num"] or Decimal(0),
            r["den"] if r["den"] is not None else Decimal(0),
        ]
    return out


def reported(user: Any, unit: UnitVersion, measures: Iterable[str], years: Iterable[int]) -> Sums:
    """One grouped query: (measure, year, period, key) → [numerator, denominator]. A country or province reads
    its roll-ups (decision 0715) when the user sees all of it."""
    measures, years = list(measures), list(years)
    summed = rollups.reported_sums(user, unit, identity_prefixes(unit), measures, years)
    if summed is not None:
        return summed
    rows = (
        _base(user, identity_prefixes(unit))
        .filter(measure__in=list(measures), year__in=list(years))
        .values("measure", "year", "period", "key")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    return _fold(rows)


# ---- lineage mapping -----------------------------------------------------------------------------------------


def on_current_units(
    user: Any, unit: UnitVersion, measures: Iterable[str], years: Iterable[int], on: date | None = None
) -> tuple[Sums, dict[int, Sums]]:
    """Facts of the unit's lineage mapped to today's units under it: (totals, per current unit)."""
    on = on or timezone.localdate()
    if unit.level == UnitVersion.Level.COUNTRY:
        return _by_province(user, unit, measures, years, on)
    rows = list(
        _base(user, unit_prefixes(unit))
        .filter(measure__in=list(measures), year__in=list(years))
        .values("unit_id", "measure", "year", "period", "key")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    mapping = current_map({r["unit_id"] for r in rows}, on)
    targets = {t for parts in mapping.values() for t, _s in parts}
    inside = set(
        UnitVersion.objects.filter(pk__in=targets, path__startswith=unit.path).values_list("pk", flat=True)
    )
    per_unit: dict[int, Sums] = defaultdict(dict)
    totals: Sums = {}
    for r in rows:
        status = kind_of(r["measure"]) == "status"
        row_key: Row = (r["measure"], r["year"], r["period"], r["key"])
        counted_total = False
        for target, share in mapping.get(r["unit_id"], []):
            if target not in inside or share == 0:
                continue
            weight = Decimal(1) if status else share
            num = (r["num"] or Decimal(0)) * weight
            den = (r["den"] or Decimal(0)) * weight
            slot = per_unit[target].setdefault(row_key, [Decimal(0), Decimal(0)])
            slot[0] += num
            slot[1] += den
            if status and counted_total:
                continue  # a status counts once in the total, however many successors show it
            counted_total = True
            total = totals.setdefault(row_key, [Decimal(0), Decimal(0)])
            total[0] += num if not status else (r["num"] or Decimal(0))
            total[1] += den if not status else (r["den"] or Decimal(0))
    return totals, dict(per_unit)


PROVINCE_PATH_LENGTH = 16  # "0000001/0000012/": paths are zero-padded 7-digit ids, one segment per level


def current_totals(
    user: Any, unit: UnitVersion, measures: Iterable[str], years: Iterable[int], on: date | None = None
) -> Sums:
    """Totals of a unit on today's units. A country or province sums its lineage's facts per province in the
    database and maps provinces forward (the 2025 reform merged whole provinces, share 1; statuses were counted
    once per predecessor commune already); a commune goes through the commune lineage (on_current_units)."""
    on = on or timezone.localdate()
    measures, years = list(measures), list(years)
    if on == timezone.localdate():  # the roll-ups are on today's units
        prefixes = identity_prefixes(unit) if unit.level == UnitVersion.Level.COUNTRY else unit_prefixes(unit)
        summed = rollups.current_sums(user, unit, prefixes, measures, years)
        if summed is not None:
            return summed
    if unit.level <= UnitVersion.Level.PROVINCE:
        return _by_province(user, unit, measures, years, on)[0]
    return on_current_units(user, unit, measures, years, on)[0]


def current_per_unit(
    user: Any, unit: UnitVersion, measures: Iterable[str], years: Iterable[int], *, months: bool = True
) -> dict[int, Sums]:
    """Per today's unit under a country (provinces) or a current province (communes): the roll-ups when they can
    answer, else on_current_units. `months=False`: the roll-ups come with the monthly periods already summed
    (period ""); the fallback keeps them — callers that pass it must sum periods themselves."""
    measures, years = list(measures), list(years)
    prefixes = identity_prefixes(unit) if unit.level == UnitVersion.Level.COUNTRY else unit_prefixes(unit)
    per_unit = rollups.current_children(user, unit, prefixes, measures, years, months=months)
    if per_unit is not None:
        return per_unit
    return on_current_units(user, unit, measures, years)[1]


def _by_province(
    user: Any, unit: UnitVersion, measures: Iterable[str], years: Iterable[int], on: date
) -> tuple[Sums, dict[int, Sums]]:
    """Facts under a country or province's lineage summed per province in the database, each province mapped to
    the province(s) valid on `on` through the province lineage edges: (totals of what maps into the unit, per
    today's province)."""
    prefixes = identity_prefixes(unit) if unit.level == UnitVersion.Level.COUNTRY else unit_prefixes(unit)
    rows = list(
        _base(user, prefixes)
        .filter(measure__in=list(measures), year__in=list(years))
        .annotate(province=Substr("unit_path", 1, PROVINCE_PATH_LENGTH))
        .values_list("province", "measure", "year", "period", "key")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    zero = Decimal(0)
    ids = dict(
        UnitVersion.objects.filter(
            path__in={r[0] for r in rows}, level=UnitVersion.Level.PROVINCE
        ).values_list("path", "pk")
    )
    mapping = current_map(set(ids.values()), on)
    country = unit.level == UnitVersion.Level.COUNTRY
    inside = {t for parts in mapping.values() for t, _s in parts}
    if not country:
        inside = set(
            UnitVersion.objects.filter(pk__in=inside, path__startswith=unit.path).values_list("pk", flat=True)
        )
    totals: Sums = {}
    per_unit: dict[int, Sums] = defaultdict(dict)
    for province, measure, year, period, key, n, d in rows:
        row_key: Row = (measure, year, period, key)
        status = kind_of(measure) == "status"
        if country:  # every fact once, including those on the country itself
            total = totals.setdefault(row_key, [zero, zero])
            total[0] += n or zero
            total[1] += d or zero
        counted = False
        for target, share in mapping.get(ids.get(province, -1), []):
            if target not in inside or share == 0:
                continue
            weight = Decimal(1) if status else share
            slot = per_unit[target].setdefault(row_key, [zero, zero])
            slot[0] += (n or zero) * weight
            slot[1] += (d or zero) * weight
            if not country and not (status and counted):
                counted = True
                total = totals.setdefault(row_key, [zero, zero])
                total[0] += (n or zero) * weight
                total[1] += (d or zero) * weight
    return totals, dict(per_unit)


def per_unit_reported(
    user: Any, unit: UnitVersion, measures: Iterable[str], year: int, level: int
) -> dict[int, Sums]:
    """Facts of one year summed per descendant: provinces (level 1, the path's second segment) or communes
    (level 3: facts on the commune itself). Months are summed (period ""), and of the disaggregated poverty facts
    only the totals are read: the unit rows need no more. The country's provinces come from the roll-ups when
    the user sees every fact."""
    measures = list(measures)
    if level == UnitVersion.Level.PROVINCE and unit.level == UnitVersion.Level.COUNTRY:
        summed = rollups.reported_provinces(user, unit, identity_prefixes(unit), measures, year)
        if summed is not None:
            return summed
    qs = (
        _base(user, identity_prefixes(unit))
        .filter(measure__in=list(measures), year=year)
        .exclude(measure__startswith="poverty.", key__contains="=")
    )
    if level == UnitVersion.Level.PROVINCE:  # summed per province in the database
        qs = qs.annotate(target=Substr("unit_path", 1, PROVINCE_PATH_LENGTH), lvl=Value(-1))
    else:
        qs = qs.annotate(target=F("unit_path"), lvl=F("unit__level"))
    rows = (
        qs.values_list("target", "lvl", "measure", "key")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    by_path: dict[str, Sums] = defaultdict(dict)
    zero = Decimal(0)
    for path, unit_level, measure, key, n, d in rows:
        if level == UnitVersion.Level.PROVINCE:
            if len(path) < PROVINCE_PATH_LENGTH:
                continue  # facts on the country itself
            target = path
        elif unit_level == level:
            target = path
        else:
            continue
        slot = by_path[target].setdefault((measure, year, "", key), [zero, zero])
        slot[0] += n or zero
        slot[1] += d or zero
    ids = dict(UnitVersion.objects.filter(path__in=list(by_path)).values_list("path", "pk"))
    return {ids[p]: sums for p, sums in by_path.items() if p in ids}


def stamp(unit: UnitVersion) -> tuple[datetime | None, int]:
    """(latest refresh time, version) of the facts a dashboard of the unit reads: the FactsStamps of the provinces
    its lineage covers (every stamp for the country). One small query (once per unit object); any refresh under
    the unit changes it."""
    cached = getattr(unit, "_stamp", None)
    if cached is not None:
        return tuple(cached)
    unit._stamp = _stamp(unit)  # type: ignore[attr-defined]
    return tuple(unit._stamp)  # type: ignore[attr-defined]


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's, the country-wide "" included."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["", *("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))]


def _unit_stamp(prefixes: tuple[str, ...]) -> tuple[datetime | None, int]:
    """A commune's (or village's) stamp: the unit stamps at its paths, their ancestors (a subtree refresh or a
    rebuild above it) and below them (facts on its villages) — not its province's, which every other commune's
    save bumps (decision 0835)."""
    above = sorted({a for p in prefixes for a in ancestor_paths(p)})
    rows = list(
        UnitStamp.objects.filter(Q(path__in=above) | path_range("path", prefixes)).values_list(
            "changed_at", "version"
        )
    )
    if not rows:
        return None, 0
    return max(r[0] for r in rows), sum(int(r[1]) for r in rows)


def _stamp(unit: UnitVersion) -> tuple[datetime | None, int]:
    prefixes = unit_prefixes(unit)
    if unit.level >= UnitVersion.Level.COMMUNE:
        return _unit_stamp(prefixes)
    qs = FactsStamp.objects.all()
    stamps = {stamp_prefix(p) for p in prefixes}
    if all(p.count("/") == 2 for p in stamps):  # provinces; the country (one segment) reads every stamp
        qs = qs.filter(path__in=sorted(stamps))
    rows = list(qs.values_list("changed_at", "version"))
    if not rows:
        return None, 0
    return max(r[0] for r in rows), sum(int(r[1]) for r in rows)


def cached_for(unit: UnitVersion, parts: Any, compute: Any, timeout: int = PAGE_CACHE_SECONDS) -> Any:
    """compute() once per (parts, unit, language, facts stamp of the unit): public pages and figures that depend
    only on the facts under the unit (no user scope in the key: callers pass what else matters in `parts`)."""

    changed_at, version = stamp(unit)
    if changed_at is None:
        return compute()
    raw = repr((parts, unit.pk, get_language(), changed_at, version))
    key = "dashboards:for:" + hashlib.sha256(raw.encode()).hexdigest()
    hit = panel_cache().get(key)
    if hit is None:
        hit = compute()
        panel_cache().set(key, hit, timeout)
    return hit


def pending(unit: UnitVersion) -> bool:
    """A refresh is marked but not done under the unit (shown as "đang cập nhật")."""
    return PendingRefresh.objects.filter(path_q("unit_path", unit_prefixes(unit))).exists()


@cache
def targets() -> list[dict[str, Any]]:
    path = Path(__file__).parent / "data" / "targets.json"
    return list(json.loads(path.read_text(encoding="utf-8"))["targets"])


def target_for(code: str, year: int) -> dict[str, Any] | None:
    for t in targets():
        if t["code"] == code and t["years"][0] <= year <= t["years"][1]:
            return t
    return None


DATA_MEASURES = (  # a year "has data" when one of these was reported for it (decision 0016)
    "poverty.poor",
    "finance.plan",
    "finance.disbursed",
    "output.actual",
    "output.target",
)
STATE_MEASURES = (
    "ntm.tier",
)  # recognitions in force: carried to every later year, used only when nothing else


def default_year(user: Any, unit: UnitVersion) -> int:
    """The latest year with data reported for it under the unit in the user's scope: a poverty review, a capital
    plan or payment, an output (DATA_MEASURES); else the latest year a recognition was in force; else this year.
    Year-end denominators (ntm.communes) and the latest assessment carried forward (ntm.assessed) exist for every
    year up to now and never count."""
    this_year = timezone.localdate().year
    for measures in (DATA_MEASURES, STATE_MEASURES):
        answered, found = rollups.latest_year(user, unit, unit_prefixes(unit), this_year, measures)
        if not answered:
            found = (
                _base(user, unit_prefixes(unit))
                .filter(measure__in=measures, year__lte=this_year)
                .aggregate(m=Max("year"))["m"]
            )
        if found:
            return int(found)
    return this_year
