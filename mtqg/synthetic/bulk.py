"""Bulk loading for the synthetic country: COPY on PostgreSQL (psycopg `cursor.copy`), executemany on SQLite.

Ids are assigned by the caller (`reserve_ids`) so children can point at parents without reading ids back;
`sync_sequence` puts the PostgreSQL sequence past the new ids afterwards. Rows are streamed in chunks: memory stays
flat whatever the row count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models
from django.db.models import Max

CHUNK = 20_000


def reserve_ids(model: type[models.Model], count: int) -> int:
    """First id of a block of `count` fresh ids (the caller numbers rows first, first+1, …)."""
    top = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
    return int(top) + 1


def sync_sequence(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({pk.column}) FROM "
            f"{connection.ops.quote_name(table)}), 1))",
            [table, pk.column],
        )


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert raw rows (values in column order, already in database form) and return how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    total = 0
    it = iter(rows)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in it:
                    copy.write_row(row)
                    total += 1
            return total
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        while True:
            chunk = list(islice(it, CHUNK))
            if not chunk:
                return total
            cur.executemany(sql, chunk)
            total += len(chunk)
