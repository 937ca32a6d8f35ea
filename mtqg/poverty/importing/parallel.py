"""Validating a large CSV household file on every core (decision 0830).

The serial validator (`validate.scan_households`) runs in one Python thread; while it works, the database's core
is idle (staging only writes a few compressed chunks). For a clean CSV file of at least `MIN_BYTES`, the file is
cut into blocks of `BLOCK_LINES` physical lines, and forked worker processes run the same `scan_households` on
each block (the header put in front, the line numbers continued) and pack their rows into chunks
(`staging.pack_chunks`); this process reserves the blocks' household ids, merges what the workers found (codes,
tallies) and writes the chunks, in file order.

It is a fast path for files that are valid, nothing more: whenever a worker finds anything unusual — an error, a
record spread over several lines (a quoted line break), a blank line, a line that is not UTF-8 — or a household
code appears in two blocks, it gives up (`None`), the caller drops what was staged and validates the whole file
serially, which reports every error exactly as before. A worker touches no database connection: it inherits
plain data and returns plain data."""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from itertools import chain
from typing import IO, Any

from django.db import connection

from mtqg.core import bulk

from ..models import Household, PovertyStandard, StagedChunk
from .reader import template_headers
from .staging import CHUNK_COLUMNS, CHUNK_ROWS, ReviewConstants, StagingWriter, pack_chunks
from .validate import MAX_STORED_ERRORS, Matches, RowErrors, header_error, register_matches, scan_households

WORKERS = min(2, os.cpu_count() or 1)  # processes validating blocks; 1: always serial
MIN_BYTES = 4 << 20  # ≈ 45.000 rows: below, forking costs more than it saves
BLOCK_LINES = 20 * CHUNK_ROWS  # a block's rows fill whole chunks (the checker's page counts on full chunks)

Counts = dict[tuple[int, str, str, str], int]
Block = tuple[list[tuple[Any, ...]], dict[str, int], Counts]


@dataclass(frozen=True)
class _Setup:
    standard: PovertyStandard
    local: PovertyStandard | None
    communes: dict[str, int]
    constants: ReviewConstants
    header: list[str]


_setup: _Setup | None = None  # a worker's copy, set by the pool's initializer


def _init(setup: _Setup) -> None:
    global _setup  # one per worker process, set once by the pool
    _setup = setup


class _Collector(StagingWriter):
    """A worker's stager: keeps the validated rows in memory; the first error ends the fast path."""

    def __init__(self) -> None:
        super().__init__(StagedChunk, CHUNK_COLUMNS)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)


def _validate_block(job: tuple[int, bytes, list[Any], int]) -> Block | None:
    """In a worker: one block (`header_line` = the line before its first one) validated and packed, or None."""
    header_line, data, ids, seq = job
    setup = _setup
    assert setup is not None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, errors = _Collector(), RowErrors()
    seen: dict[str, int] = {}
    counts: Counts = {}
    try:
        scan_households(
            chain([setup.header], reader),
            standard=setup.standard,
            local=setup.local,
            communes=setup.communes,
            stager=rows,
            errors=errors,
            seen=seen,
            counts=counts,
            header_line=header_line,
        )
    except csv.Error:
        return None
    lines = len(ids)
    if errors.count or not rows.enabled or reader.line_num != lines or len(rows.rows) != lines:
        return None
    return pack_chunks(rows.rows, ids, setup.constants, seq), seen, counts


def _reserve(count: int) -> list[Any]:
    """Ids of the households-to-be, as the serial writer takes them (PostgreSQL: a block of the household
    sequence, decision 0815; SQLite: none, the commit numbers them)."""
    if connection.vendor != "postgresql":
        return [None] * count
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Household._meta.db_table])
        sequence = cur.fetchone()[0]
        # one array value, not `count` rows: the client builds one list instead of a tuple per id
        cur.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, count])
        return list(cur.fetchone()[0])


def stage_parallel(
    source: IO[bytes],
    *,
    standard: PovertyStandard,
    local: PovertyStandard | None,
    communes: dict[str, int],
    constants: ReviewConstants,
    scope: tuple[str, ...],
    seen: dict[str, int],
    counts: Counts,
) -> tuple[int, Matches] | None:
    """Validate and stage a CSV household file on `WORKERS` processes. Returns the rows staged and the codes'
    matches on the register (`register_matches` in `scope`, probed block by block while the workers validate the
    next ones), or None when the fast path does not apply or gave up: then nothing is left staged, `seen` and
    `counts` are empty, `source` is rewound, and the caller validates serially."""
    if WORKERS < 2:
        return None
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size < MIN_BYTES:
        return None
    try:
        header = next(csv.reader([source.readline().decode("utf-8-sig")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        header = []
    if header_error(RowErrors(), "", header, template_headers(standard)):
        source.seek(0)
        return None
    setup = _Setup(standard, local, communes, constants, header)
    staged = seq = existing = foreign = 0
    first_foreign: list[tuple[int, str]] = []
    line = 1
    pending: deque[Any] = deque()
    context = multiprocessing.get_context("fork")

    def take() -> bool:
        nonlocal staged, existing, foreign
        result = pending.popleft().get()
        if result is None:
            return False
        chunks, codes, block_counts = result
        if not seen.keys().isdisjoint(codes):  # a code in two blocks: the serial pass reports the line
            return False
        seen.update(codes)
        for key, n in block_counts.items():
            counts[key] = counts.get(key, 0) + n
        bulk.insert(StagedChunk, CHUNK_COLUMNS, chunks)
        staged += sum(chunk[4] for chunk in chunks)
        # this block's lines all follow the previous blocks': its first matches continue the list in line order
        found, outside, first = register_matches(codes, scope, MAX_STORED_ERRORS)
        existing, foreign = existing + found, foreign + outside
        first_foreign.extend(first[: MAX_STORED_ERRORS - len(first_foreign)])
        return True

    with context.Pool(WORKERS, initializer=_init, initargs=(setup,)) as pool:
        lines = iter(source.readline, b"")
        while True:
            block = [raw for _n, raw in zip(range(BLOCK_LINES), lines, strict=False)]
            if block:
                pending.append(
                    pool.apply_async(_validate_block, ((line, b"".join(block), _reserve(len(block)), seq),))
                )
                line += len(block)
                seq += -(-len(block) // CHUNK_ROWS)
            if pending and (len(pending) > WORKERS or not block) and not take():
                pool.terminate()
                StagedChunk.objects.filter(batch_id=constants.batch_id).delete()
                seen.clear()
                counts.clear()
                source.seek(0)
                return None
            if not block and not pending:
                break
    return staged, (existing, foreign, first_foreign)
