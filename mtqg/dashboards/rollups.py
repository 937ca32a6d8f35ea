"""Roll-ups: summary facts summed once for the pages that would otherwise sum thousands of them (decision 0715).

Nodes:
- as reported: the country (every fact) and every province version (the facts under its path);
- on today's units: every current province (its predecessor provinces' roll-ups through the province lineage) and
  every current commune (the facts of the units of commune level or below mapped through the commune lineage).
  Additive measures are apportioned by the edge's share (else equal parts), statuses counted whole on each
  successor — exactly what selectors.on_current_units / _by_province do per request.

Kept with the facts: the full rebuild recomputes them in SQL (INSERT … SELECT), every incremental refresh adds the
differences it wrote to the facts (serialised by a lock on RollupState). A page reads a node only when the reader
sees every fact the node sums (else it sums the facts, as before) and the roll-ups are marked ready.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, Max, Q, Sum
from django.utils import timezone

from mtqg.core import bulk
from mtqg.core.scoping import view_prefixes
from mtqg.geo.models import UnitVersion

from .bulk import update_by_pk
from .lineage import current_map
from .measures import measures as measure_definitions
from .models import Rollup, RollupState, SummaryFact

REPORTED = Rollup.Mode.REPORTED.value
CURRENT = Rollup.Mode.CURRENT.value
PROVINCE_PATH_LENGTH = 16  # "0000001/0000012/"
ZERO = Decimal(0)
ONE = Decimal(1)
COLUMNS = (
    "node_id",
    "node_path",
    "node_level",
    "mode",
    "measure",
    "year",
    "period",
    "key",
    "numerator",
    "denominator",
    "facts",
)
MAP_TABLE = "dashboards_rollup_map"

Row = tuple[str, int, str, str]
Sums = dict[Row, list[Decimal]]
# unit_id, unit_path, measure, year, period, key, Δnumerator, Δdenominator, Δnumber of facts
Delta = tuple[int, str, str, int, str, str, Decimal, Decimal, int]

_state = {"enabled": True}


@contextmanager
def disabled() -> Iterator[None]:
    """Read the facts, never the roll-ups (tests compare both; benchmarks time the old path)."""
    before = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = before


def status_measures() -> list[str]:
    return sorted(code for code, m in measure_definitions().items() if m["kind"] == "status")


def ready() -> bool:
    return RollupState.objects.filter(pk=1, ready=True).exists()


def is_province_path(path: str) -> bool:
    return len(path) == PROVINCE_PATH_LENGTH and path.count("/") == 2


def is_node_path(path: str) -> bool:
    """A reported node: the country (one segment) or a province."""
    return path.count("/") == 1 or is_province_path(path)


def usable(user: Any, prefixes: Iterable[str]) -> bool:
    """The roll-ups may answer: enabled, and the user sees every fact under the prefixes they sum (readiness is
    part of every read: `_ready_rows`)."""
    if not _state["enabled"]:
        return False
    prefixes = tuple(prefixes)
    if user is not None:
        allowed = view_prefixes(user)
        if "" not in allowed and not all(any(p.startswith(a) for a in allowed) for p in prefixes):
            return False
    return True


def _ready_rows(**filters: Any) -> Any:
    """Roll-up rows, none while the roll-ups are not ready (one query, no separate state check). An empty answer
    sends the caller back to the facts, which then hold nothing or are the only truth."""
    return Rollup.objects.filter(Exists(RollupState.objects.filter(pk=1, ready=True)), **filters)


def _fold(rows: Iterable[dict[str, Any]]) -> Sums:
    return {
        (r["measure"], r["year"], r["period"], r["key"]): [r["num"] or ZERO, r["den"] or ZERO] for r in rows
    }


def _sums(qs: Any) -> Sums | None:
    summed = _fold(
        qs.values("measure", "year", "period", "key")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    return summed or None


# ---- reading ---------------------------------------------------------------------------------------------------


def reported_sums(
    user: Any, unit: UnitVersion, prefixes: tuple[str, ...], measures: Iterable[str], years: Iterable[int]
) -> Sums | None:
    """Totals as reported of a country or province (the nodes of its identity's versions); None = not answerable."""
    if unit.level > UnitVersion.Level.PROVINCE or not all(is_node_path(p) for p in prefixes):
        return None
    if not usable(user, prefixes):
        return None
    return _sums(
        _ready_rows(mode=REPORTED, node_path__in=prefixes, measure__in=list(measures), year__in=list(years))
    )


def current_sums(
    user: Any, unit: UnitVersion, prefixes: tuple[str, ...], measures: Iterable[str], years: Iterable[int]
) -> Sums | None:
    """Totals on today's units: the country's (every fact once, as reported), a current province's or commune's
    node. `prefixes` are what the per-request computation would read (for the scope check)."""
    if unit.level == UnitVersion.Level.COUNTRY:
        return reported_sums(user, unit, prefixes, measures, years)
    if unit.level == UnitVersion.Level.PROVINCE and not all(is_province_path(p) for p in prefixes):
        return None
    if unit.level not in (UnitVersion.Level.PROVINCE, UnitVersion.Level.COMMUNE):
        return None
    if not usable(user, prefixes):
        return None
    return _sums(_ready_rows(mode=CURRENT, node=unit, measure__in=list(measures), year__in=list(years)))


def _per_node(qs: Any, *, months: bool) -> dict[int, Sums] | None:
    fields = (
        ("node_id", "measure", "year", "period", "key") if months else ("node_id", "measure", "year", "key")
    )
    out: dict[int, Sums] = defaultdict(dict)
    for r in qs.values(*fields).annotate(num=Sum("numerator"), den=Sum("denominator")).order_by():
        row_key: Row = (r["measure"], r["year"], r["period"] if months else "", r["key"])
        out[r["node_id"]][row_key] = [r["num"] or ZERO, r["den"] or ZERO]
    return dict(out) or None


def reported_provinces(
    user: Any, country: UnitVersion, prefixes: tuple[str, ...], measures: Iterable[str], year: int
) -> dict[int, Sums] | None:
    """Per province version, one year, months summed, without the disaggregated poverty facts (the unit rows of the
    country page, as selectors.per_unit_reported computes them)."""
    if not all(is_node_path(p) for p in prefixes) or not usable(user, prefixes):
        return None
    qs = _ready_rows(
        mode=REPORTED, node_level=UnitVersion.Level.PROVINCE, year=year, measure__in=list(measures)
    ).exclude(measure__startswith="poverty.", key__contains="=")
    return _per_node(qs, months=False)


def current_children(
    user: Any,
    unit: UnitVersion,
    prefixes: tuple[str, ...],
    measures: Iterable[str],
    years: Iterable[int],
    *,
    months: bool = True,
) -> dict[int, Sums] | None:
    """Per today's unit under a country (provinces) or a current province (communes), as on_current_units gives;
    `months=False` sums the monthly periods in the database (period "" — what a unit table needs)."""
    if unit.level == UnitVersion.Level.COUNTRY:
        if not all(is_node_path(p) for p in prefixes):
            return None
        qs = _ready_rows(mode=CURRENT, node_level=UnitVersion.Level.PROVINCE)
    elif unit.level == UnitVersion.Level.PROVINCE and all(is_province_path(p) for p in prefixes):
        qs = _ready_rows(
            mode=CURRENT,
            node_level=UnitVersion.Level.COMMUNE,
            node_path__gte=unit.path,
            node_path__lt=unit.path + "\x7f",
        )
    else:
        return None
    if not usable(user, prefixes):
        return None
    return _per_node(qs.filter(measure__in=list(measures), year__in=list(years)), months=months)


def latest_year(
    user: Any, unit: UnitVersion, prefixes: tuple[str, ...], up_to: int, measures: tuple[str, ...]
) -> tuple[bool, int | None]:
    """(answered, latest year with facts of these measures — selectors.DATA_MEASURES or STATE_MEASURES) under a
    country or province from its reported nodes."""
    if unit.level > UnitVersion.Level.PROVINCE or not all(is_node_path(p) for p in prefixes):
        return False, None
    if not usable(user, prefixes):
        return False, None
    year = (
        _ready_rows(mode=REPORTED, node_path__in=prefixes, year__lte=up_to)
        .filter(measure__in=measures)
        .aggregate(m=Max("year"))["m"]
    )
    return True, (int(year) if year is not None else None)


# ---- building --------------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _mapping(sources: Iterable[int], level: int, on: date) -> list[tuple[int, int, str, int, Decimal]]:
    """(source unit, today's unit of `level`, its path, level, weight) through the lineage (weights ≠ 0)."""
    mapping = current_map(set(sources), on)
    targets = {t for parts in mapping.values() for t, _w in parts}
    info = {
        pk: (path, lvl)
        for pk, path, lvl in UnitVersion.objects.filter(pk__in=targets, level=level).values_list(
            "pk", "path", "level"
        )
    }
    return [
        (source, target, info[target][0], info[target][1], weight)
        for source, parts in mapping.items()
        for target, weight in parts
        if target in info and weight != 0
    ]


def _load_map(cursor: Any, rows: list[tuple[int, int, str, int, Decimal]]) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {MAP_TABLE} (source_id bigint, target_id bigint, target_path varchar(255), "
        "target_level smallint, weight numeric(30, 20))"
    )
    bulk.insert(
        MAP_TABLE, ["source_id", "target_id", "target_path", "target_level", "weight"], rows, chunk=2000
    )


def rebuild(on: date | None = None) -> int:
    """Every roll-up recomputed from the facts (inside the caller's transaction); returns the number of rows."""
    on = on or timezone.localdate()
    table, facts = _q(Rollup._meta.db_table), _q(SummaryFact._meta.db_table)
    units = _q(UnitVersion._meta.db_table)
    cols = ", ".join(_q(c) for c in COLUMNS)
    m, y, p, k = (_q(c) for c in ("measure", "year", "period", "key"))
    statuses = status_measures()
    in_status = ", ".join(["%s"] * len(statuses)) or "NULL"
    country = UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT %s, %s, 0, %s, {m}, {y}, {p}, {k}, SUM(numerator), "
            f"COALESCE(SUM(denominator), 0), COUNT(*) FROM {facts} GROUP BY {m}, {y}, {p}, {k}",
            [country.pk, country.path, REPORTED],
        )
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT u.id, u.path, u.level, %s, g.{m}, g.{y}, g.{p}, g.{k}, g.n, "
            f"g.d, g.c FROM (SELECT SUBSTR(unit_path, 1, {PROVINCE_PATH_LENGTH}) AS prov, {m}, {y}, {p}, {k}, "
            f"SUM(numerator) AS n, COALESCE(SUM(denominator), 0) AS d, COUNT(*) AS c FROM {facts} "
            f"GROUP BY SUBSTR(unit_path, 1, {PROVINCE_PATH_LENGTH}), {m}, {y}, {p}, {k}) g "
            f"JOIN {units} u ON u.path = g.prov AND u.level = %s",
            [REPORTED, UnitVersion.Level.PROVINCE],
        )
        provinces = Rollup.objects.filter(mode=REPORTED, node_level=UnitVersion.Level.PROVINCE)
        _load_map(
            cursor,
            _mapping(provinces.values_list("node_id", flat=True).distinct(), UnitVersion.Level.PROVINCE, on),
        )
        weight = f"CASE WHEN r.{m} IN ({in_status}) THEN 1 ELSE w.weight END"
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT w.target_id, w.target_path, w.target_level, %s, r.{m}, r.{y}, "
            f"r.{p}, r.{k}, SUM(r.numerator * {weight}), SUM(r.denominator * {weight}), SUM(r.facts) "
            f"FROM {table} r JOIN {MAP_TABLE} w ON w.source_id = r.node_id "
            f"WHERE r.mode = %s AND r.node_level = %s "
            f"GROUP BY w.target_id, w.target_path, w.target_level, r.{m}, r.{y}, r.{p}, r.{k}",
            [CURRENT, *statuses, *statuses, REPORTED, UnitVersion.Level.PROVINCE],
        )
        sources = (
            SummaryFact.objects.filter(unit__level__gte=UnitVersion.Level.COMMUNE)
            .values_list("unit_id", flat=True)
            .distinct()
        )
        _load_map(cursor, _mapping(sources, UnitVersion.Level.COMMUNE, on))
        weight = f"CASE WHEN f.{m} IN ({in_status}) THEN 1 ELSE w.weight END"
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT w.target_id, w.target_path, w.target_level, %s, f.{m}, f.{y}, "
            f"f.{p}, f.{k}, SUM(f.numerator * {weight}), SUM(COALESCE(f.denominator, 0) * {weight}), COUNT(*) "
            f"FROM {facts} f JOIN {MAP_TABLE} w ON w.source_id = f.unit_id "
            f"GROUP BY w.target_id, w.target_path, w.target_level, f.{m}, f.{y}, f.{p}, f.{k}",
            [CURRENT, *statuses, *statuses],
        )
        cursor.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
    RollupState.objects.update_or_create(pk=1, defaults={"ready": True, "built_at": timezone.now()})
    return Rollup.objects.count()


def apply(deltas: list[Delta], on: date | None = None) -> int:
    """Add the differences an incremental refresh wrote to the facts to every node they belong to; returns the
    number of roll-up rows written. One refresh at a time (lock on RollupState); nothing while not ready."""
    if not deltas:
        return 0
    state = RollupState.objects.select_for_update().filter(pk=1).first()
    if state is None or not state.ready:
        return 0
    on = on or timezone.localdate()
    statuses = set(status_measures())
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).values_list("pk", "path").get()
    unit_ids = {d[0] for d in deltas}
    levels = dict(UnitVersion.objects.filter(pk__in=unit_ids).values_list("pk", "level"))
    provinces = dict(
        UnitVersion.objects.filter(
            path__in={d[1][:PROVINCE_PATH_LENGTH] for d in deltas}, level=UnitVersion.Level.PROVINCE
        ).values_list("path", "pk")
    )
    nodes: dict[int, tuple[str, int]] = {country[0]: (country[1], UnitVersion.Level.COUNTRY)}
    nodes.update(
        {pk: (path, UnitVersion.Level.PROVINCE) for path, pk in provinces.items() if is_province_path(path)}
    )
    forward: dict[tuple[str, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for source, target, path, level, weight in _mapping(
        provinces.values(), UnitVersion.Level.PROVINCE, on
    ) + _mapping(
        {u for u in unit_ids if levels.get(u, 0) >= UnitVersion.Level.COMMUNE}, UnitVersion.Level.COMMUNE, on
    ):
        forward[("p" if level == UnitVersion.Level.PROVINCE else "c", source)].append((target, weight))
        nodes[target] = (path, level)
    acc: dict[tuple[int, str, str, int, str, str], list[Any]] = {}

    def add(node: int, mode: str, d: Delta, weight: Decimal) -> None:
        slot = acc.setdefault((node, mode, d[2], d[3], d[4], d[5]), [ZERO, ZERO, 0])
        slot[0] += d[6] * weight
        slot[1] += d[7] * weight
        slot[2] += d[8]

    for d in deltas:
        status = d[2] in statuses
        add(country[0], REPORTED, d, ONE)
        province = provinces.get(d[1][:PROVINCE_PATH_LENGTH])
        if province is not None:
            add(province, REPORTED, d, ONE)
            for target, weight in forward.get(("p", province), ()):
                add(target, CURRENT, d, ONE if status else weight)
        for target, weight in forward.get(("c", d[0]), ()):
            add(target, CURRENT, d, ONE if status else weight)
    return _write(acc, nodes)


def _write(
    acc: dict[tuple[int, str, str, int, str, str], list[Any]], nodes: dict[int, tuple[str, int]]
) -> int:
    where = Q(
        node_id__in={k[0] for k in acc},
        measure__in={k[2] for k in acc},
        year__in={k[3] for k in acc},
    )
    existing = {
        (r.node_id, r.mode, r.measure, r.year, r.period, r.key): r for r in Rollup.objects.filter(where)
    }
    create, update, delete = [], [], []
    for key, (dn, dd, dc) in acc.items():
        row = existing.get(key)
        if row is None:
            if dc <= 0:
                continue  # nothing was there and nothing is added (a change that cancels out)
            path, level = nodes[key[0]]
            create.append(
                Rollup(
                    node_id=key[0],
                    node_path=path,
                    node_level=level,
                    mode=key[1],
                    measure=key[2],
                    year=key[3],
                    period=key[4],
                    key=key[5],
                    numerator=dn,
                    denominator=dd,
                    facts=dc,
                )
            )
            continue
        row.facts += dc
        if row.facts <= 0:
            delete.append(row.pk)
            continue
        row.numerator += dn
        row.denominator += dd
        update.append(row)
    if delete:
        Rollup.objects.filter(pk__in=delete).delete()
    update_by_pk(Rollup, update, ["numerator", "denominator", "facts"])
    Rollup.objects.bulk_create(create, batch_size=1000)
    return len(create) + len(update) + len(delete)
