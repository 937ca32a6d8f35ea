"""Bulk loading for the synthetic country: COPY on PostgreSQL (psycopg `cursor.copy`), executemany on SQLite.

Ids are assigned by the caller (`reserve_ids`) so children can point at parents without reading ids back;
`sync_sequence` puts the PostgreSQL sequence past the new ids afterwards. Rows are streamed in chunks: memory stays
flat whatever the row count.
"""

from __future__ import annotations

import time
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


def is_superuser() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
    return bool(row and row[0])


def secondary_indexes(models_: Sequence[type[models.Model]], *, foreign_keys: bool = True) -> list[str]:
    """Drop the secondary indexes, unique (and, unless foreign_keys=False, foreign-key) constraints of the tables
    (PostgreSQL; primary keys stay) and return the statements that recreate them, unique ones before foreign
    keys. A bulk load into tables without them, then one index build per index and one validating join per
    foreign key, is several times faster than maintaining them row by row (and deferred foreign-key checks
    queue one event per row). Dropping a foreign key locks the referenced table (ACCESS EXCLUSIVE) until
    commit: with foreign_keys=False the caller skips the checks another way (`skip_foreign_key_checks`)."""
    if connection.vendor != "postgresql":
        return []
    kinds = ("u", "f") if foreign_keys else ("u",)
    drops: list[str] = []
    indexes: list[str] = []
    uniques: list[str] = []
    foreign: list[str] = []
    with connection.cursor() as cur:
        for model in models_:
            table = connection.ops.quote_name(model._meta.db_table)
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY conname",
                [model._meta.db_table, list(kinds)],
            )
            for name, definition, kind in cur.fetchall():
                drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
                add = f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                (uniques if kind == "u" else foreign).append(add)
            cur.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')) "
                "ORDER BY 1",
                [model._meta.db_table],
            )
            for name, definition in cur.fetchall():
                drops.append(f"DROP INDEX {name}")
                indexes.append(definition)
        for statement in drops:
            cur.execute(statement)
    return [*uniques, *indexes, *foreign]


def truncate_if_empty(models_: Sequence[type[models.Model]]) -> bool:
    """PostgreSQL: TRUNCATE the tables (and every table referencing them, recursively) when all are empty, so
    they get new files in this transaction: with wal_level=minimal PostgreSQL then writes no WAL for the bulk
    load and its index builds (docs/deployment.md, initial load). Returns whether it truncated."""
    if connection.vendor != "postgresql":
        return False
    tables = {m._meta.db_table for m in models_}
    with connection.cursor() as cur:
        todo = list(tables)
        while todo:
            cur.execute(
                "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = %s::regclass",
                [todo.pop()],
            )
            for (name,) in cur.fetchall():
                name = name.strip('"')
                if name not in tables:
                    tables.add(name)
                    todo.append(name)
        quoted = [connection.ops.quote_name(t) for t in sorted(tables)]
        for t in quoted:
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {t})")
            row = cur.fetchone()
            if row and row[0]:
                return False
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with pending deferred checks
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        cur.execute(f"TRUNCATE {', '.join(quoted)}")
    return True


def skip_foreign_key_checks() -> None:
    """For the rest of the transaction, do not fire the foreign-key triggers (superuser only:
    session_replication_role = replica). The caller proves the references afterwards (`orphans`)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")


def orphans(model: type[models.Model], where: str = "TRUE") -> dict[str, int]:
    """Rows of `model` (matching `where`) whose foreign keys point at nothing, per key: one anti-join each."""
    found: dict[str, int] = {}
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    with connection.cursor() as cur:
        for f in model._meta.concrete_fields:
            if not f.is_relation or f.related_model is None:
                continue
            target = f.related_model._meta
            assert target.pk is not None
            column, pk = qn(str(f.column)), qn(str(target.pk.column))
            cur.execute(
                f"SELECT count(*) FROM {table} t WHERE ({where}) AND t.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {qn(target.db_table)} r WHERE r.{pk} = t.{column})"
            )
            row = cur.fetchone()
            found[f.name] = int(row[0]) if row else 0
    return found


def recreate(statements: Sequence[str], say: Any = None) -> None:
    if not statements:
        return
    with connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for statement in statements:
            started = time.perf_counter()
            cur.execute(statement)
            if say:
                say(f"  {time.perf_counter() - started:6.1f} s  {statement[:90]}")
