"""Bulk loading for the synthetic country. The insert itself (COPY on PostgreSQL, executemany on SQLite) and the id
helpers are `mtqg.core.bulk`'s, re-exported here for the generator; what is only the generator's lives here: dropping
and recreating secondary indexes and constraints around a load, truncating empty tables, skipping foreign-key
triggers and proving the references afterwards (`orphans`).

Ids are assigned by the caller (`reserve_ids`) so children can point at parents without reading ids back;
`sync_sequence` puts the PostgreSQL sequence past the new ids afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from mtqg.core.bulk import insert, reserve_ids, sync_sequence

__all__ = [
    "insert",
    "is_superuser",
    "orphans",
    "recreate",
    "reserve_ids",
    "secondary_indexes",
    "skip_foreign_key_checks",
    "sync_sequence",
    "truncate_if_empty",
]


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
