"""Review tallies: the counts every poverty roll-up reads (decision 0206).

`ReviewTally` holds, per (commune, year, kind, class, transition, ethnicity, area), the number of reviews and of
those with housing support. It is recomputed from the reviews, set-based, for the (commune, year) pairs a writer
touched, inside the writer's transaction:

- a saved or deleted `Review` (services, admin, tests) refreshes its own (commune, year) through the signals below;
- bulk writers that bypass the ORM (the importer's INSERT … SELECT, the demo seed, the synthetic country) call
  `tally_refresh(communes=…, years=…)` or `tally_refresh()` (everything) themselves.

`tally_check()` compares the table with a fresh aggregate of the reviews (`manage.py poverty_tally --check`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Review, ReviewTally

KEY = ("commune_id", "year", "kind", "poverty_class", "transition", "ethnicity", "area")
# tally_add on PostgreSQL: the key's columns, then households and housing, each passed as one array
UNNEST_TYPES = ("%s::int[]", "%s::int[]", "%s::text[]", "%s::text[]", "%s::text[]", "%s::text[]", "%s::text[]",
                "%s::int[]", "%s::int[]")  # fmt: skip
CHUNK = 500  # commune ids or tally keys (× 9 values) per statement: under SQLite's bound-parameter limit


def _where(communes: list[int] | None, years: list[int] | None) -> tuple[str, list[Any]]:
    parts, params = [], []
    if communes is not None:
        parts.append(f"commune_id IN ({', '.join(['%s'] * len(communes))})")
        params += communes
    if years is not None:
        parts.append(f"year IN ({', '.join(['%s'] * len(years))})")
        params += years
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def tally_refresh(communes: Iterable[int] | None = None, years: Iterable[int] | None = None) -> int:
    """Recompute the tallies of these communes and years (None = all) from the reviews; returns the number of
    tally rows written. Runs in the caller's transaction."""
    t = connection.ops.quote_name(ReviewTally._meta.db_table)
    r = connection.ops.quote_name(Review._meta.db_table)
    year_list = sorted(set(years)) if years is not None else None
    commune_list = sorted(set(communes)) if communes is not None else None
    true = "true" if connection.vendor == "postgresql" else "1"
    cols = ", ".join(KEY)
    written = 0
    chunks: list[list[int] | None] = (
        [commune_list[i : i + CHUNK] for i in range(0, len(commune_list), CHUNK)]
        if commune_list is not None
        else [None]
    )
    with connection.cursor() as cur:
        for chunk in chunks:
            if chunk == []:
                continue
            where, params = _where(chunk, year_list)
            cur.execute(f"DELETE FROM {t}{where}", params)
            cur.execute(
                f"INSERT INTO {t} ({cols}, households, housing) SELECT {cols}, COUNT(*), "
                f"SUM(CASE WHEN policy_housing = {true} THEN 1 ELSE 0 END) FROM {r}{where} GROUP BY {cols}",
                params,
            )
            written += max(cur.rowcount, 0)
    return written


def tally_add(rows: Iterable[tuple[Any, ...]]) -> int:
    """Add counts to the tallies: rows of (commune_id, year, kind, class, transition, ethnicity, area, households,
    housing) for reviews just inserted (never for changed or deleted ones: those call `tally_refresh`). Rows with
    the same key are summed first; then one multi-row INSERT … ON CONFLICT DO UPDATE per CHUNK keys."""
    summed: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        slot = summed.setdefault(tuple(row[:7]), [0, 0])
        slot[0] += row[7]
        slot[1] += row[8]
    t = connection.ops.quote_name(ReviewTally._meta.db_table)
    unique = "year, kind, commune_id, poverty_class, transition, ethnicity, area"  # tally_unique_key
    items = [(*key, n, housing) for key, (n, housing) in summed.items()]
    upsert = (
        f"ON CONFLICT ({unique}) DO UPDATE SET households = {t}.households + excluded.households, "
        f"housing = {t}.housing + excluded.housing"
    )
    insert = f"INSERT INTO {t} ({', '.join(KEY)}, households, housing)"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and items:  # one statement: a column of values per array (0855)
            columns = [list(column) for column in zip(*items, strict=True)]
            cur.execute(f"{insert} SELECT * FROM unnest({', '.join(UNNEST_TYPES)}) {upsert}", columns)
            return len(items)
        for i in range(0, len(items), CHUNK):
            chunk = items[i : i + CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cur.execute(f"{insert} VALUES {values} {upsert}", [v for item in chunk for v in item])
    return len(items)


def _aggregate(model_table: str, value: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    cols = ", ".join(KEY)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols}, {value} FROM {model_table} GROUP BY {cols}")
        return {tuple(row[:7]): (int(row[7]), int(row[8])) for row in cur.fetchall()}


def tally_check() -> list[dict[str, Any]]:
    """Differences between the tally and a fresh aggregate of the reviews (empty when they agree)."""
    true = "true" if connection.vendor == "postgresql" else "1"
    live = _aggregate(
        connection.ops.quote_name(Review._meta.db_table),
        f"COUNT(*), SUM(CASE WHEN policy_housing = {true} THEN 1 ELSE 0 END)",
    )
    kept = _aggregate(connection.ops.quote_name(ReviewTally._meta.db_table), "SUM(households), SUM(housing)")
    out = []
    for key in sorted(set(live) | set(kept), key=str):
        if live.get(key) != kept.get(key):
            out.append(
                {"key": dict(zip(KEY, key, strict=True)), "reviews": live.get(key), "tally": kept.get(key)}
            )
    return out


@receiver(post_save, sender=Review, dispatch_uid="poverty_tally_saved")
def _saved(sender: Any, instance: Review, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures / restore: the loader rebuilds
        return
    tally_refresh([instance.commune_id], [instance.year])  # a review never changes commune or year


@receiver(post_delete, sender=Review, dispatch_uid="poverty_tally_deleted")
def _deleted(sender: Any, instance: Review, **kwargs: Any) -> None:
    tally_refresh([instance.commune_id], [instance.year])
