"""Writing validated rows to staging in chunks (decisions 0201, 0816), through `mtqg.core.bulk`: household rows
packed a thousand to a `StagedChunk`, member rows one to a `StagedMember`.

A chunk holds its rows typed (marshal, zlib-compressed) with the batch's review constants (decision 0855): the
commit turns them into PostgreSQL's COPY text of households and of reviews while the server writes the chunk
before — so that work is not paid at staging, where the validators are the bottleneck — and hands SQLite typed
executemany rows. A chunk staged before 0855 holds the two COPY texts themselves (0816); `chunk_rows` and the
commit read both. Everything else (the checker's page, the erasure, a re-review) reads a chunk back as rows of
`ROW_FIELDS` (`chunk_rows`)."""

from __future__ import annotations

import marshal
import queue
import re
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db import connection
from django.db.models import QuerySet, Sum

from mtqg.core import bulk

from ..models import Decision, Household, PovertyClass, StagedChunk, StagedDecision, StagedMember

CHUNK = 10_000
CHUNK_ROWS = StagedChunk.CHUNK_ROWS
# A staged household row as the validator adds it (`household_id` last: the id reserved from the household
# sequence on PostgreSQL, None on SQLite — the commit numbers them) and as `chunk_rows` gives it back.
ROW_FIELDS = (
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
    "household_id",
)
# a staged member's fields, in the register's names: poverty.models.MEMBER_FIELDS and the folded search name
STAGED_MEMBER_FIELDS = [
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
MEMBER_COLUMNS = ["batch_id", "line", "household_code", *STAGED_MEMBER_FIELDS]
LINE, CODE, COMMUNE, HEAD_NAME, HEAD_SEARCH, ADDRESS, HOUSEHOLD_ID = 0, 1, 2, 3, 4, 5, 13
CHUNK_COLUMNS = ["batch_id", "seq", "first_line", "last_line", "size", "lines", "households", "reviews"]
# the columns of the two COPY texts of a chunk, in order
HOUSEHOLD_COLUMNS = [
    "id",
    "code",
    "commune_id",
    "village_name",
    "address",
    "head_name",
    "head_search",
    "ethnicity",
    "area",
]
REVIEW_COLUMNS = [
    "household_id", "commune_id", "year", "kind", "area", "income_per_capita_month", "deprivations",
    "deprivation_count", "standard_id", "poverty_class", "local_standard_id", "local_class", "transition", "causes",
    "policy_housing", "policy_water", "policy_credit", "policy_production", "approval_decision", "batch_id",
    "ethnicity",
]  # fmt: skip
NEW_CLASSES = frozenset(
    {"poor", "near_poor"}
)  # a household new to the register: transition "new" (phát sinh mới)
NULL = "\\N"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r"}
_UNESCAPE = re.compile(r"\\(.)")


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unesc(value: str) -> str | None:
    if value == NULL:
        return None
    if "\\" not in value:
        return value
    return _UNESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)


@dataclass(frozen=True)
class ReviewConstants:
    """What every review of a batch shares, written into its chunks' review text."""

    year: int
    kind: str
    standard_id: int
    local_standard_id: int | None
    batch_id: int


def households_text(rows: Sequence[Sequence[Any]]) -> str:
    """COPY text of the register's households (`HOUSEHOLD_COLUMNS`) for rows of `ROW_FIELDS`."""
    out = []
    for r in rows:
        ident = NULL if r[13] is None else r[13]
        body = f"{r[1]}\t{r[2]}\t\t{r[5]}\t{r[3]}\t{r[4]}\t{r[6]}\t{r[7]}"
        if body.count("\t") != 7 or "\\" in body or "\n" in body or "\r" in body:  # rare: escape the texts
            body = "\t".join([_esc(r[1]), str(r[2]), "", *(_esc(r[k]) for k in (5, 3, 4, 6, 7))])
        out.append(f"{ident}\t{body}")
    return "\n".join(out) + "\n"


def reviews_text(rows: Sequence[Sequence[Any]], c: ReviewConstants) -> str:
    """COPY text of the reviews (`REVIEW_COLUMNS`) for rows of `ROW_FIELDS` (the texts escaped as households)."""
    local = NULL if c.local_standard_id is None else c.local_standard_id
    out = []
    for r in rows:
        ident = NULL if r[13] is None else r[13]
        new = "new" if r[11] in NEW_CLASSES else ""
        eth = (
            r[6]
            if "\\" not in r[6] and "\t" not in r[6] and "\n" not in r[6] and "\r" not in r[6]
            else _esc(r[6])
        )
        out.append(
            f"{ident}\t{r[2]}\t{c.year}\t{c.kind}\t{r[7]}\t{r[8]}\t{r[9]}\t{r[10]}\t{c.standard_id}\t{r[11]}\t"
            f"{local}\t{r[12]}\t{new}\t[]\t0\t0\t0\t0\t\t{c.batch_id}\t{eth}"
        )
    return "\n".join(out) + "\n"


def split_text(text: str, nullable: tuple[int, ...] = ()) -> list[list[Any]]:
    """COPY text back into rows of values (None for NULL). Without escapes in the text (the common chunk: the only
    backslashes are NULLs, which the writers put only in the `nullable` columns) a plain split, and NULL checked
    in those columns only — a function call per value cost SQLite's commit more than its write."""
    if "\\" in text.replace(NULL, ""):  # an escaped value somewhere (a literal backslash is written as two)
        return [[_unesc(v) for v in line.split("\t")] for line in text.split("\n") if line]
    rows: list[list[Any]] = [line.split("\t") for line in text.split("\n") if line]
    if NULL in text:
        for row in rows:
            for k in nullable:
                if row[k] == NULL:
                    row[k] = None
    return rows


def compress(text: str) -> bytes:
    return zlib.compress(text.encode(), 1)


def decompress(data: bytes | memoryview) -> str:
    return zlib.decompress(data).decode()


# A chunk of typed rows (decision 0855) starts with this byte; a chunk of COPY texts (0816, still read: batches
# staged before the upgrade) with zlib's 0x78.
TYPED = b"R"


def pack_rows(rows: Sequence[Sequence[Any]], constants: ReviewConstants) -> bytes:
    """A chunk's rows of `ROW_FIELDS` (with their ids) and the batch's review constants, typed (marshal: ints stay
    ints), compressed: what staging keeps in `StagedChunk.households` (`reviews` is then empty). The COPY texts are
    made from them at the commit, while the server writes the texts before (decision 0855)."""
    c = constants
    head = (c.year, c.kind, c.standard_id, c.local_standard_id, c.batch_id)
    return TYPED + zlib.compress(marshal.dumps((head, [tuple(r) for r in rows])), 1)


def unpack_rows(data: bytes | memoryview) -> tuple[ReviewConstants, list[tuple[Any, ...]]] | None:
    """(constants, rows) of a typed chunk; None for a chunk of COPY texts. Only reads what `pack_rows` wrote into
    this application's own staging table."""
    if bytes(data[:1]) != TYPED:
        return None
    # marshal: S302 — the bytes are this application's own staging rows, written by `pack_rows` (decision 0855)
    head, rows = marshal.loads(zlib.decompress(data[1:]))  # noqa: S302
    return ReviewConstants(*head), rows


def repack_households(households: bytes | memoryview, rows: Sequence[Sequence[Any]]) -> bytes:
    """A chunk's `households` value after its rows (of `chunk_rows`) were changed (the erasure): typed again, or
    for a chunk of COPY texts, its households' text (the reviews' text holds no name or address)."""
    typed = unpack_rows(households)
    return compress(households_text(rows)) if typed is None else pack_rows(rows, typed[0])


def chunk_rows(lines: str, households: bytes | memoryview, reviews: bytes | memoryview) -> list[list[Any]]:
    """A chunk's rows as `ROW_FIELDS` (the checker's page, the erasure, a re-review)."""
    typed = unpack_rows(households)
    if typed is not None:
        return [list(row) for row in typed[1]]
    out = []
    numbers = [int(x) for x in lines.split(",")]
    for line, h, r in zip(
        numbers,
        split_text(decompress(households), (0,)),
        split_text(decompress(reviews), (0, 10)),
        strict=True,
    ):
        ident = None if h[0] is None else int(h[0])
        out.append([line, h[1], int(h[2] or 0), h[5], h[6], h[4], h[7], h[8], int(r[5] or 0), r[6],
                    int(r[7] or 0), r[9], r[11], ident])  # fmt: skip
    return out


class StagingWriter:
    """Buffers tuples and writes them in chunks. PostgreSQL: COPY from a writer thread, so that parsing and
    validating the next chunk overlaps the server's work on the previous one (the writer mostly waits on the
    socket with the GIL released). SQLite: executemany in the caller's thread — SQLite runs in this process, and a
    second thread only made both wait for the GIL (measured 20-30 % slower). The thread uses the caller's own
    DB-API connection, hence the caller's transaction; the caller does not touch the connection until `flush()`
    has joined the writer."""

    def __init__(self, model: Any, columns: list[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.postgres = connection.vendor == "postgresql"
        self.columns = columns
        self.buffer: list[tuple[Any, ...]] = []
        self.count = 0
        self.enabled = True
        self.queue: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None

    def prepare(self, cur: Any, rows: list[tuple[Any, ...]]) -> Sequence[Sequence[Any]]:
        """The table rows for a buffer of added rows (here: the same; `ChunkWriter` packs them)."""
        return rows

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
            with connection.cursor() as cur:
                bulk.insert(self.model, self.columns, self.prepare(cur, self.buffer))
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
                    bulk.copy_rows(cur, self.table, self.columns, self.prepare(cur, rows))
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


class ChunkWriter(StagingWriter):
    """Household rows (`ROW_FIELDS` without the id), packed `CHUNK_ROWS` to a `StagedChunk` row as typed rows
    (decisions 0816, 0855). PostgreSQL: each row gets the id of its household-to-be from the
    household sequence, one `nextval` block per buffer — a sequence never hands out a value twice, so concurrent
    writers cannot collide; ids of rows never committed are gaps (decision 0815)."""

    def __init__(self, constants: ReviewConstants) -> None:
        super().__init__(StagedChunk, CHUNK_COLUMNS)
        self.constants = constants
        self.seq = 0
        self.sequence: str | None = None

    def prepare(self, cur: Any, rows: list[tuple[Any, ...]]) -> Sequence[Sequence[Any]]:
        if self.postgres:
            if self.sequence is None:  # resolved once: per row, pg_get_serial_sequence costs 6× the nextval
                cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Household._meta.db_table])
                self.sequence = cur.fetchone()[0]
            cur.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self.sequence, len(rows)]
            )
            ids: list[Any] = [ident for (ident,) in cur.fetchall()]
        else:
            ids = [None] * len(rows)
        out = pack_chunks(rows, ids, self.constants, self.seq)
        self.seq += len(out)
        return out


def pack_chunks(
    rows: Sequence[tuple[Any, ...]], ids: Sequence[Any], constants: ReviewConstants, seq: int
) -> list[tuple[Any, ...]]:
    """Rows of `ROW_FIELDS` without the id, and their ids, packed `CHUNK_ROWS` to a `StagedChunk` row
    (`CHUNK_COLUMNS`), numbered from `seq`. Used by the writer and by the parallel validators (parallel.py)."""
    out = []
    for start in range(0, len(rows), CHUNK_ROWS):
        part = [
            (*row, ident) for row, ident in zip(rows[start : start + CHUNK_ROWS], ids[start:], strict=False)
        ]
        out.append(
            (
                constants.batch_id,
                seq,
                part[0][LINE],
                part[-1][LINE],
                len(part),
                ",".join(str(row[LINE]) for row in part),
                pack_rows(part, constants),
                b"",
            )
        )
        seq += 1
    return out


def staged_chunks(batch_id: int) -> Iterator[tuple[str, bytes | memoryview, bytes | memoryview]]:
    """(lines, households, reviews) of each chunk of a batch, in line order."""
    chunks = StagedChunk.objects.filter(batch_id=batch_id).order_by("seq")
    yield from chunks.values_list("lines", "households", "reviews").iterator(chunk_size=20)


@dataclass
class StagedLine:
    """One staged household row as the checker's screen shows it."""

    line: int
    code: str
    head_name: str
    income_per_capita_month: int
    deprivation_count: int
    poverty_class: str
    decision: str

    def get_poverty_class_display(self) -> str:
        return str(PovertyClass(self.poverty_class).label)

    def get_decision_display(self) -> str:
        return str(Decision(self.decision).label)


class StagedLines(Sequence[StagedLine]):
    """The staged rows of a batch as a sliceable sequence for Django's Paginator: a page reads the one or two
    chunks that hold it and the decisions on its lines."""

    def __init__(self, chunks: QuerySet[StagedChunk], batch_id: int) -> None:
        self.chunks = chunks.filter(batch_id=batch_id)
        self.batch_id = batch_id

    def __len__(self) -> int:
        return int(self.chunks.aggregate(n=Sum("size"))["n"] or 0)

    @overload
    def __getitem__(self, index: int) -> StagedLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[StagedLine]: ...

    def __getitem__(self, index: int | slice) -> StagedLine | list[StagedLine]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        first = start // CHUNK_ROWS
        chunks = self.chunks.filter(seq__gte=first)
        if stop is not None:
            chunks = chunks.filter(seq__lte=max(stop - 1, 0) // CHUNK_ROWS)
        rows = [
            row
            for packed in chunks.order_by("seq").values_list("lines", "households", "reviews")
            for row in chunk_rows(*packed)
        ]
        offset = first * CHUNK_ROWS
        part = rows[start - offset : None if stop is None else stop - offset]
        decided = dict(
            StagedDecision.objects.filter(batch_id=self.batch_id, line__in=[r[LINE] for r in part])
            .order_by()
            .values_list("line", "decision")
        )
        return [StagedLine(r[0], r[1], r[3], r[8], r[10], r[11], decided.get(r[LINE], "")) for r in part]


def staged_lines_in(batch_id: int, lines: list[int]) -> set[int]:
    """Which of `lines` are staged rows of the batch (reads only the chunks whose range holds one)."""
    wanted = set(lines)
    found: set[int] = set()
    if not wanted:
        return found
    low, high = min(wanted), max(wanted)
    chunks = StagedChunk.objects.filter(batch_id=batch_id, first_line__lte=high, last_line__gte=low)
    for first, last, numbers in chunks.values_list("first_line", "last_line", "lines"):
        if any(first <= line <= last for line in wanted):
            found.update(line for line in (int(x) for x in numbers.split(",")) if line in wanted)
    return found


def staging_delete(batch_id: int) -> None:
    """Drop a batch's staged rows and decisions (after its commit, rejection or an invalid file)."""
    StagedChunk.objects.filter(batch_id=batch_id).delete()
    StagedDecision.objects.filter(batch_id=batch_id).delete()
    StagedMember.objects.filter(batch_id=batch_id).delete()


def sqlite_page_cache() -> None:
    """A bigger page cache for this connection while it stages/commits a large batch (SQLite only)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-131072")
