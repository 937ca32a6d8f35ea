"""Bulk insert of raw rows, written once: COPY on PostgreSQL (psycopg `cursor.copy`), executemany on SQLite.

Used by the poverty importer's staging and the demo register, the synthetic country and the dashboards' facts and
roll-up map. Rows are tuples already in database form, in column order (no model instances: building them costs
more than writing). Ids, when the caller needs them before writing children, come from `reserve_ids`; afterwards
`sync_sequence` puts PostgreSQL's sequence past them. Imports only Django (and psycopg through its connection).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models
from django.db.models import Max

CHUNK = 20_000  # rows per executemany call on SQLite: memory stays flat whatever the row count


def _table(target: type[models.Model] | str) -> str:
    return target if isinstance(target, str) else target._meta.db_table


def copy_rows(raw_cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL: COPY `rows` into `table` on a psycopg cursor (Django's `cursor.cursor`, or a cursor of the raw
    connection when a writer thread works on the caller's connection). Returns how many."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    count = 0
    with raw_cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_text(target: type[models.Model] | str, columns: Sequence[str], texts: Iterable[str | bytes]) -> None:
    """PostgreSQL: COPY rows already in COPY text format (tab-separated, `\\N` for NULL, one row per line) into a
    table on Django's connection: the client formats nothing. Errors are Django's (`IntegrityError` for a unique
    key), as from `cursor.execute`."""
    qn = connection.ops.quote_name
    with (
        connection.wrap_database_errors,
        connection.cursor() as cur,
        cur.cursor.copy(
            f"COPY {qn(_table(target))} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        ) as copy,
    ):
        for text in texts:
            copy.write(text)


def insert(
    target: type[models.Model] | str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    chunk: int = CHUNK,
) -> int:
    """Insert raw rows into a model's table (or a table by name, e.g. a temporary one) on Django's connection, in
    the caller's transaction. Returns how many rows were written."""
    table = _table(target)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            return copy_rows(cur.cursor, table, columns, rows)
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        total = 0
        it = iter(rows)
        while batch := list(islice(it, chunk)):
            cur.executemany(sql, batch)
            total += len(batch)
        return total


def reserve_ids(model: type[models.Model], count: int) -> int:
    """First id of a block of fresh ids (the caller numbers rows first, first+1, …; `count` is informative: the
    block is everything above today's largest id). Call `sync_sequence` after writing."""
    top = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
    return int(top) + 1


def sync_sequence(model: type[models.Model]) -> None:
    """PostgreSQL: the identity sequence past the largest id (after rows were written with explicit ids)."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({qn(pk.column)}) FROM {qn(table)}), 1))",
            [table, pk.column],
        )
