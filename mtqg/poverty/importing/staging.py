"""Writing validated rows to the lean staging tables in chunks (decision 0201), through `mtqg.core.bulk`."""

from __future__ import annotations

import queue
import threading
from typing import Any

from django.db import connection

from mtqg.core import bulk

from ..models import StagedMember, StagedRow

CHUNK = 10_000
ROW_COLUMNS = [
    "batch_id",
    "line",
    "code",
    "commune_id",
    "head_name",
    "head_search",
    "address",
    "ethnicity",
    "area",
    "income_per_capita_month",
    "deprivations",
    "deprivation_count",
    "poverty_class",
    "local_class",
    "decision",
]
MEMBER_COLUMNS = [
    "batch_id",
    "line",
    "household_code",
    "full_name",
    "search_name",
    "birth_date",
    "sex",
    "relation",
    "id_number",
    "ethnicity",
    "schooling",
    "health_insurance",
    "disability",
    "employment",
]


class StagingWriter:
    """Buffers tuples and writes them in chunks. PostgreSQL: COPY from a writer thread, so that parsing and
    validating the next chunk overlaps the server's work on the previous one (the writer mostly waits on the
    socket with the GIL released). SQLite: executemany in the caller's thread — SQLite runs in this process, and a
    second thread only made both wait for the GIL (measured 20-30 % slower). The thread uses the caller's own
    DB-API connection, hence the caller's transaction; the caller does not touch the connection until `flush()`
    has joined the writer."""

    def __init__(self, model: Any, columns: list[str], *, ids_of: Any = None) -> None:
        """`ids_of` (PostgreSQL): a model whose id sequence gives each row one more column, `household_id` — ids
        reserved for the rows the commit will insert (a sequence never hands out the same value twice, so
        concurrent writers cannot collide; ids of rows never committed are simply gaps)."""
        self.model = model
        self.table = model._meta.db_table
        self.postgres = connection.vendor == "postgresql"
        self.ids_of = ids_of._meta.db_table if ids_of is not None and self.postgres else None
        self.columns = [*columns, "household_id"] if self.ids_of else columns
        self.buffer: list[tuple[Any, ...]] = []
        self.count = 0
        self.enabled = True
        self.queue: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        if self.enabled:
            self.buffer.append(row)
            if len(self.buffer) >= CHUNK:
                self._send()

    def _send(self) -> None:
        self.count += len(self.buffer)
        if (
            not self.postgres
        ):  # SQLite works in this process: a writer thread only fights the parser for the GIL
            bulk.insert(self.model, self.columns, self.buffer)
            self.buffer = []
            return
        if self.thread is None:
            connection.ensure_connection()
            self.thread = threading.Thread(target=self._write, args=(connection.connection,), daemon=True)
            self.thread.start()
        self.queue.put(self.buffer)
        self.buffer = []

    def _write(self, raw: Any) -> None:
        cur = raw.cursor()
        try:
            while (rows := self.queue.get()) is not None:
                if self.failure is None and self.enabled:
                    if self.ids_of:
                        cur.execute(
                            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                            [self.ids_of, len(rows)],
                        )
                        rows = [(*row, ident) for row, (ident,) in zip(rows, cur.fetchall(), strict=True)]
                    bulk.copy_rows(cur, self.table, self.columns, rows)
        except BaseException as exc:  # re-raised in the caller's thread by flush()
            self.failure = exc
            while self.queue.get() is not None:  # drain so that the producer never blocks
                pass
        finally:
            cur.close()

    def flush(self) -> None:
        """Write what is buffered and wait for the writer; re-raises its error."""
        if self.buffer and self.enabled:
            self._send()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """An error was found: nothing more is written (the caller drops what was)."""
        self.enabled, self.buffer = False, []

    def close(self) -> None:
        """Always called: ends the writer thread whatever happened (after an error, without raising)."""
        if self.thread is not None:
            self.enabled = False
            self.queue.put(None)
            self.thread.join()
            self.thread = None


def staging_delete(batch_id: int) -> None:
    """Drop a batch's staged rows (after its commit, rejection or an invalid file)."""
    StagedRow.objects.filter(batch_id=batch_id).delete()
    StagedMember.objects.filter(batch_id=batch_id).delete()


def sqlite_page_cache() -> None:
    """A bigger page cache for this connection while it stages/commits a large batch (SQLite only)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-131072")
