"""Test databases built once per test run and copied (decision 0825).

Migrating (89 migrations) and loading the full real administrative-unit list cost about 23 s of CPU each time. A run
pays them once: the first xdist worker to set up its test database saves two templates in the run's directory —
`schema` (migrated, no units) and `units` (the units, schemes, NTM regions and demo classifications on top) — and
every other database of the run is a copy: the other workers' test databases (`units`), the browser server's
database (`units`, then its own seed), the fresh-database test (`schema`). A copy is a file copy on SQLite (the
in-memory test database is written out and read back with SQLite's backup API) and CREATE DATABASE … TEMPLATE on
PostgreSQL: well under a second either way.

The run is named by MTQG_TEST_RUN, set by the first pytest process (the xdist controller) and inherited by its
workers; one file lock in the run's directory serialises building and copying (PostgreSQL refuses to copy a template
someone else is reading). The controller drops the templates at the end (`cleanup`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

RUN_ENV = "MTQG_TEST_RUN"
KINDS = ("schema", "units")


def start_run() -> None:
    """Name the run (the first process does; xdist workers inherit the variable)."""
    os.environ.setdefault(RUN_ENV, uuid.uuid4().hex[:16])


def run_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"mtqg-tests-{os.environ[RUN_ENV]}"
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def run_lock() -> Iterator[None]:
    with open(run_dir() / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _pg_server(conn: BaseDatabaseWrapper) -> Iterator[Any]:
    """An autocommit connection to the server's `postgres` database, with psycopg directly: Django refuses its own
    connections while Playwright's sync API keeps an event loop in the thread (the browser tests' worker)."""
    params = conn.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    ) as server:
        yield server


def _pg_name(kind: str) -> str:
    return f"mtqg_tpl_{kind}_{os.environ[RUN_ENV]}"


def _marker(kind: str) -> Path:
    return run_dir() / f"{kind}.ready"


def has(kind: str) -> bool:
    return _marker(kind).exists()


def _is_sqlite(conn: BaseDatabaseWrapper) -> bool:
    return conn.vendor == "sqlite"


def save(kind: str, alias: str = "default") -> None:
    """Save the current test database as the run's `kind` template (call under run_lock)."""
    conn = connections[alias]
    if _is_sqlite(conn):
        conn.ensure_connection()
        target = sqlite3.connect(run_dir() / f"{kind}.sqlite3")
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    else:
        source = conn.settings_dict["NAME"]
        conn.close()  # a template is copied only when nobody is connected to it
        with _pg_server(conn) as server:
            server.execute(f'CREATE DATABASE "{_pg_name(kind)}" TEMPLATE "{source}"')
    _marker(kind).touch()


def test_db_from(kind: str, alias: str = "default") -> list[tuple[BaseDatabaseWrapper, str, bool]]:
    """Make this process's test database a copy of the `kind` template, in place of Django's create_test_db
    (call under run_lock). Returns the configuration `django.test.utils.teardown_databases` takes."""
    conn = connections[alias]
    old_name = conn.settings_dict["NAME"]
    test_name = conn.creation._get_test_db_name()  # type: ignore[attr-defined]  # what create_test_db names it
    if not _is_sqlite(conn):
        _pg_copy(conn, kind, test_name)
    conn.close()
    settings.DATABASES[alias]["NAME"] = test_name
    conn.settings_dict["NAME"] = test_name
    conn.ensure_connection()
    if _is_sqlite(conn):
        source = sqlite3.connect(run_dir() / f"{kind}.sqlite3")
        try:
            source.backup(conn.connection)
        finally:
            source.close()
    return [(conn, old_name, True)]


def _pg_copy(conn: BaseDatabaseWrapper, kind: str, name: str) -> None:
    with _pg_server(conn) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(kind)}"')


def database_url(kind: str, name: str, directory: Path, alias: str = "default") -> str:
    """A new database, a copy of the `kind` template, for a subprocess (a server, a management command): a SQLite
    file `name`.sqlite3 in `directory`, or a PostgreSQL database `name` on the suite's server. The template must exist
    (the caller depends on the django_db_setup fixture)."""
    conn = connections[alias]
    with run_lock():
        if _is_sqlite(conn):
            path = directory / f"{name}.sqlite3"
            shutil.copyfile(run_dir() / f"{kind}.sqlite3", path)
            return f"sqlite:///{path}"
        _pg_copy(conn, kind, name)
    url = os.environ["DATABASE_URL"]
    return url.rsplit("/", 1)[0] + "/" + name


def drop(name: str, alias: str = "default") -> None:
    """Drop a PostgreSQL database made by database_url (SQLite files go with their directory)."""
    conn = connections[alias]
    if not _is_sqlite(conn):
        with _pg_server(conn) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}"')


def cleanup(alias: str = "default") -> None:
    """The controller, at the end of the run: drop the PostgreSQL templates and the run's directory."""
    if RUN_ENV not in os.environ:
        return
    directory = Path(tempfile.gettempdir()) / f"mtqg-tests-{os.environ[RUN_ENV]}"
    if not directory.exists():
        return
    conn: Any = connections[alias]
    if not _is_sqlite(conn) and any((directory / f"{kind}.ready").exists() for kind in KINDS):
        with _pg_server(conn) as server:
            for kind in KINDS:
                server.execute(f'DROP DATABASE IF EXISTS "{_pg_name(kind)}"')
    shutil.rmtree(directory, ignore_errors=True)
