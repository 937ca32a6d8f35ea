"""Writes of the dashboards app: rebuilding and refreshing summary facts (system jobs, no actor scope)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from mtqg.core import bulk
from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths

from . import rollups
from .bulk import update_by_pk
from .measures import ROW_COLUMNS, compute
from .models import FactsStamp, PendingRefresh, SummaryFact, UnitStamp

BATCH = 2000
PATH_END = "\x7f"  # sorts after every path character (digits and '/')


def path_range(field: str, prefixes: tuple[str, ...]) -> Q:
    """Rows whose path starts with one of the prefixes, as index-friendly ranges (LIKE is not indexed)."""
    if "" in prefixes:
        return Q()
    q = Q(pk__in=[])
    for p in prefixes:
        q |= Q(**{f"{field}__gte": p, f"{field}__lt": p + PATH_END})
    return q


def unit_prefixes(unit: UnitVersion) -> tuple[str, ...]:
    """Minimal path prefixes covering a unit, its other versions and their lineage predecessors (cached on the
    unit object)."""
    cached = getattr(unit, "_lineage_prefixes", None)
    if cached is not None:
        return tuple(cached)
    paths = sorted(lineage_scope_paths(unit) | {unit.path}, key=len)
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    unit._lineage_prefixes = tuple(kept)  # type: ignore[attr-defined]
    return tuple(kept)


def stamp_prefix(path: str) -> str:
    """The FactsStamp a path belongs to: its first two segments (the province), or the country's one."""
    parts = [p for p in path.strip("/").split("/") if p]
    return "/".join(parts[:2]) + "/" if parts else ""


def stamps_bump(paths: Any) -> None:
    """New version (and time) for the stamps of these paths; "" = every stamp (a country-wide rebuild): the
    province stamps the aggregate pages read, and the unit stamp of each path itself (commune pages, 0835)."""
    now = timezone.now()
    paths = sorted(set(paths))
    for p in paths:  # sorted: concurrent refreshes lock the rows in the same order
        if not UnitStamp.objects.filter(path=p).update(version=F("version") + 1, changed_at=now):
            UnitStamp.objects.get_or_create(path=p, defaults={"version": 1, "changed_at": now})
    prefixes = {stamp_prefix(p) for p in paths}
    if "" in prefixes:
        FactsStamp.objects.update(version=F("version") + 1, changed_at=now)
        prefixes = {
            stamp_prefix(p)
            for p in UnitVersion.objects.filter(level__lte=UnitVersion.Level.PROVINCE).values_list(
                "path", flat=True
            )
        }
        FactsStamp.objects.bulk_create(
            [FactsStamp(path=p, version=1, changed_at=now) for p in sorted(prefixes)], ignore_conflicts=True
        )
        return
    for p in sorted(prefixes):  # sorted: concurrent refreshes lock the rows in the same order
        if not FactsStamp.objects.filter(path=p).update(version=F("version") + 1, changed_at=now):
            FactsStamp.objects.get_or_create(path=p, defaults={"version": 1, "changed_at": now})


def _paths(prefix: str, *, exact: bool = False) -> dict[int, str]:
    qs = (
        UnitVersion.objects.filter(path=prefix)
        if exact
        else UnitVersion.objects.filter(path__startswith=prefix)
    )
    return dict(qs.values_list("pk", "path"))


def _replace(prefix: str) -> int:
    """Recompute and replace every fact under a path prefix; returns the number of facts written."""
    acc = compute(prefix)
    old = SummaryFact.objects.all()
    if prefix:
        old = old.filter(path_range("unit_path", (prefix,)))
    old.delete()
    return _insert(acc, _paths(prefix))


def _insert(acc: Any, paths: dict[int, str]) -> int:
    """Write the accumulated facts in bulk without model instances (`core.bulk`: COPY on PostgreSQL, executemany
    batches elsewhere): building 750.000 SummaryFact objects alone took longer than computing them."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        return bulk.insert(SummaryFact, ROW_COLUMNS, acc.rows(now, paths))
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = (tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in acc.rows(stamp, paths))
    return bulk.insert(SummaryFact, ROW_COLUMNS, rows, chunk=BATCH)


def _merge(prefix: str, *, exact: bool = False) -> int:
    """Recompute the facts under a prefix and write only the differences (incremental refresh); the differences
    are added to the roll-ups (decision 0715). Returns the number of facts created, changed or deleted. Changed
    and new facts get the new computed_at."""
    acc = compute(prefix, exact=exact)
    now = timezone.now()
    where = Q(unit_path=prefix) if exact else path_range("unit_path", (prefix,))
    existing = {
        (r["measure"], r["unit_id"], r["year"], r["period"], r["key"]): (
            r["pk"],
            r["numerator"],
            r["denominator"],
            r["unit_path"],
        )
        for r in SummaryFact.objects.filter(where).values(
            "pk", "measure", "unit_id", "year", "period", "key", "numerator", "denominator", "unit_path"
        )
    }
    zero = Decimal(0)
    deltas: list[rollups.Delta] = []
    create, update = [], []
    for fact in acc.facts(now, _paths(prefix, exact=exact)):
        k = (fact.measure, fact.unit_id, fact.year, fact.period, fact.key)
        old = existing.pop(k, None)
        new_num, new_den = Decimal(fact.numerator), Decimal(fact.denominator or 0)
        if old is None:
            create.append(fact)
            deltas.append((fact.unit_id, fact.unit_path, k[0], k[2], k[3], k[4], new_num, new_den, 1))
        elif old[1] != fact.numerator or old[2] != fact.denominator:
            fact.pk = old[0]
            update.append(fact)
            deltas.append(
                (
                    fact.unit_id,
                    fact.unit_path,
                    k[0],
                    k[2],
                    k[3],
                    k[4],
                    new_num - old[1],
                    new_den - (old[2] or zero),
                    0,
                )
            )
    for (measure, unit_id, year, period, key), (_pk, n, d, path) in existing.items():
        deltas.append((unit_id, path, measure, year, period, key, -n, -(d or zero), -1))
    if existing:
        SummaryFact.objects.filter(pk__in=[v[0] for v in existing.values()]).delete()
    update_by_pk(SummaryFact, update, ["numerator", "denominator", "computed_at"])
    SummaryFact.objects.bulk_create(create, batch_size=BATCH)
    rollups.apply(deltas)
    return len(create) + len(update) + len(existing)


@transaction.atomic
def summaries_rebuild(*, actor: Any = None, unit: UnitVersion | None = None) -> dict[str, Any]:
    """Full rebuild (the whole country, or one unit's subtree), bulk; one change record for the batch."""
    started = time.monotonic()
    prefix = unit.path if unit is not None else ""
    count = 0
    rebuilt = unit_prefixes(unit) if unit is not None else ("",)
    for p in rebuilt:
        count += _replace(p)
        PendingRefresh.objects.filter(unit_path__startswith=p).delete()
    with connection.cursor() as cursor:  # fresh planner statistics: the path index beats the measure index
        cursor.execute(f"ANALYZE {SummaryFact._meta.db_table}")
    rollup_started = time.monotonic()
    nodes = (
        rollups.rebuild()
    )  # every node, in SQL: a subtree's facts reach the country's and today's units' nodes
    rollup_seconds = round(time.monotonic() - rollup_started, 2)
    stamps_bump(rebuilt)
    target = unit or UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)
    record_change(
        actor=actor,
        obj=target,
        action="imported",
        reason="rebuild_summaries",
        changes={"facts": [None, count]},
        unit_path=prefix,
    )
    return {
        "facts": count,
        "rollups": nodes,
        "rollup_seconds": rollup_seconds,
        "seconds": round(time.monotonic() - started, 2),
    }


def summaries_refresh(path: str) -> int:
    """Incremental refresh after a committed change: the unit itself when every mark on it is a row-level
    change, else its whole subtree; clears its pending marks."""
    with transaction.atomic():
        marks = list(PendingRefresh.objects.filter(unit_path=path).values_list("subtree", flat=True))
        if not marks:
            return 0  # another callback of the same transaction already did it
        count = _merge(path, exact=not any(marks))
        PendingRefresh.objects.filter(unit_path=path).delete()
        stamps_bump([path])
    return count


def summaries_refresh_pending() -> int:
    """Refresh every unit still marked (e.g. after a failed callback); returns the number of units done."""
    paths = sorted(set(PendingRefresh.objects.values_list("unit_path", flat=True)))
    for path in paths:
        summaries_refresh(path)
    return len(paths)
