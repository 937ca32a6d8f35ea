"""The commit: the accepted staged rows written into the register in one transaction (decisions 0201, 0816).

A batch of new households (the common case: staging found none of its codes on the register) is copied straight
from the staged chunks into households and reviews — COPY on PostgreSQL, executemany on SQLite — each row written
once, with the household ids reserved at staging; the unique constraints are the set-based check, and a household
added since staging makes the copy fail inside its savepoint. Otherwise (a re-review, or that failure) the accepted
rows go to a temporary table and set-based SQL skips existing households and reviews (ON CONFLICT DO NOTHING), then
sets the transitions of households reviewed before. Members and tallies follow; anything failing rolls back all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from mtqg.core import bulk
from mtqg.core.audit import record_change

from ..models import (
    Decision,
    Household,
    ImportBatch,
    Member,
    PovertyStandard,
    Review,
    StagedDecision,
    StagedMember,
)
from ..standards import local_standard_for, standard_for
from ..tally import tally_add, tally_refresh
from ..transitions import transition
from .staging import (
    CODE,
    COMMUNE,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_ID,
    LINE,
    NEW_CLASSES,
    REVIEW_COLUMNS,
    ROW_FIELDS,
    STAGED_MEMBER_FIELDS,
    chunk_rows,
    decompress,
    households_text,
    reviews_text,
    split_text,
    sqlite_page_cache,
    staged_chunks,
    staging_delete,
    unpack_rows,
)
from .validate import province_code, register_matches, scope_paths

WRITE_ROWS = 10_000  # rows per COPY / executemany of the plain insert
# PostgreSQL, every row accepted: rows per pair of COPY statements, their chunks held compressed (≈ 55 bytes a row)
COPY_ROWS = 200_000
TEMP = "poverty_staged_commit"  # the re-review path's temporary table of accepted rows
TEMP_TYPES = (
    "integer", "varchar(40)", "integer", "varchar(120)", "varchar(120)", "varchar(255)", "varchar(40)", "varchar(8)",
    "numeric(18, 0)", "jsonb", "smallint", "varchar(10)", "varchar(10)", "bigint",
)  # fmt: skip

Progress = Callable[[int, str], None]
Accepted = Callable[[int], bool]


def ready(batch: ImportBatch) -> None:
    if not batch.accept_undecided and StagedDecision.objects.filter(batch=batch).count() < batch.row_count:
        raise ValidationError(
            _("Còn dòng chưa xét: chấp nhận hoặc loại từng dòng, hoặc chấp nhận tất cả còn lại.")
        )


def _accepted(batch: ImportBatch) -> tuple[Accepted, bool]:
    """(line → accepted?, every staged row accepted?) from the checker's decisions, read once (a small table: only
    decided lines have a row)."""
    decided = dict(StagedDecision.objects.filter(batch=batch).values_list("line", "decision"))
    rejected = {line for line, d in decided.items() if d == Decision.REJECTED}
    if batch.accept_undecided:
        return (lambda line: line not in rejected), not rejected
    accepted = {line for line, d in decided.items() if d == Decision.ACCEPTED}
    return accepted.__contains__, len(accepted) == batch.row_count


@transaction.atomic
def batch_write_to_register(
    batch: ImportBatch, *, actor: Any = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The accepted staged rows into the register (households, reviews, members), then transitions and tallies."""
    batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    if batch.status not in (ImportBatch.Status.COMMITTING, ImportBatch.Status.STAGED):
        raise ValidationError(_("Lô không ở trạng thái chờ ghi sổ."))
    ready(batch)

    def step(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    sqlite_page_cache()
    accepted, everything = _accepted(batch)
    standard = standard_for(batch.year)
    local = local_standard_for(batch.year, province_code(batch.unit))
    written: tuple[int, int, int, int, set[int]] | None = None
    if not batch.existing_households:  # staging found none of the codes on the register
        try:
            with transaction.atomic():  # a savepoint: someone may add one of these households meanwhile
                written = _write_new(batch, accepted, everything, step)
        except IntegrityError:  # a code taken since staging: check its unit, then skip existing ones
            written = None
    plain = written is not None
    if written is None:
        written = _write_again(batch, accepted, standard, local, step)
    households, reviews, members, changed, communes = written
    step(95, _("Cập nhật số liệu tổng hợp"))
    if plain and reviews == batch.row_count and batch.tally:
        # new households only, nothing rejected: add the counts made while validating (0206)
        tally_add(
            (
                commune,
                batch.year,
                Review.Kind.PERIODIC,
                cls,
                "new" if cls in NEW_CLASSES else "",
                eth,
                area,
                n,
                0,
            )
            for commune, cls, eth, area, n in batch.tally
        )
    else:
        tally_refresh(communes, [batch.year])
    staging_delete(batch.pk)
    batch.status = ImportBatch.Status.COMMITTED
    batch.result = {"households": households, "reviews": reviews, "members": members, "transitions": changed}
    batch.save()
    record_change(
        actor=actor,
        obj=batch,
        action="committed",
        changes={
            "status": ["staged", "committed"],
            "reviews": [0, reviews],
            "households": [0, households],
            "members": [0, members],
        },
    )
    step(100, _("Đã ghi vào sổ"))
    return dict(batch.result)


def _write_new(
    batch: ImportBatch, accepted: Accepted, everything: bool, step: Progress
) -> tuple[int, int, int, int, set[int]]:
    """New households only: the accepted rows of each chunk copied once into households and once into reviews.
    PostgreSQL: COPY texts made from the chunk's typed rows (rows rejected by the checker left out) inside the COPY,
    with the ids reserved at staging; a chunk staged before 0855 holds the texts themselves. SQLite: typed
    executemany rows, numbered past today's largest id (the writer holds the database's write lock). A code on the
    register raises IntegrityError (unique code)."""
    postgres = connection.vendor == "postgresql"
    next_id = 0
    if not postgres:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(Household._meta.db_table)}"
            )
            next_id = int(cur.fetchone()[0]) + 1
    ids: dict[str, int] = {}
    communes: set[int] = {int(t[0]) for t in batch.tally} if everything else set()
    households: list[Any] = []
    reviews: list[Any] = []
    pending = count = 0

    def write() -> None:
        # PostgreSQL: a chunk's texts are made inside the COPY, while the server writes the chunk before
        if postgres:
            bulk.copy_text(Household, HOUSEHOLD_COLUMNS, map(_households_text, households))
            bulk.copy_text(Review, REVIEW_COLUMNS, map(_reviews_text, reviews))
        else:
            bulk.insert(Household, HOUSEHOLD_COLUMNS, households)
            bulk.insert(Review, REVIEW_COLUMNS, reviews)
        households.clear()
        reviews.clear()

    def add_chunk(lines: str, h_packed: Any, r_packed: Any) -> int:
        """The chunk's accepted rows into the buffers (SQLite: as rows numbered from `next_id`); how many."""
        nonlocal next_id
        typed = unpack_rows(h_packed)
        if typed is None:  # a chunk of COPY texts (staged before 0855)
            return add_texts(lines, decompress(h_packed), decompress(r_packed))
        c, rows = typed
        if not everything:  # cut out the rows the checker rejected or left undecided
            rows = [row for row in rows if accepted(row[LINE])]
            communes.update(row[COMMUNE] for row in rows)
        if not rows:
            return 0
        if postgres:
            households.append(households_text(rows))
            reviews.append(reviews_text(rows, c))
            ids.update((row[CODE], row[HOUSEHOLD_ID]) for row in rows)
            return len(rows)
        for r in rows:
            households.append((next_id, r[1], r[2], "", r[5], r[3], r[4], r[6], r[7]))
            reviews.append((next_id, r[2], c.year, c.kind, r[7], r[8], r[9], r[10], c.standard_id, r[11],
                            c.local_standard_id, r[12], "new" if r[11] in NEW_CLASSES else "", "[]", False, False,
                            False, False, "", c.batch_id, r[6]))  # fmt: skip
            ids[r[CODE]] = next_id
            next_id += 1
        return len(rows)

    def add_texts(lines: str, h_text: str, r_text: str) -> int:
        nonlocal next_id
        if not everything:  # cut out the rows the checker rejected or left undecided
            keep = [i for i, line in enumerate(lines.split(",")) if accepted(int(line))]
            h_lines, r_lines = h_text.split("\n"), r_text.split("\n")
            h_text = "".join(h_lines[i] + "\n" for i in keep)
            r_text = "".join(r_lines[i] + "\n" for i in keep)
            communes.update(int(h_lines[i].split("\t", 3)[2]) for i in keep)
        if not h_text:
            return 0
        if postgres:
            households.append(h_text)
            reviews.append(r_text)
            if batch.member_count:
                ids.update((row[1], int(row[0])) for row in split_text(h_text, (0,)))
        else:
            h_rows, r_rows = split_text(h_text, (0,)), split_text(r_text, (0, 10))
            for h_row, r_row in zip(h_rows, r_rows, strict=True):
                h_row[0] = r_row[0] = next_id
                ids[h_row[1]] = next_id
                next_id += 1
            households.extend(h_rows)
            reviews.extend(r_rows)
        return h_text.count("\n")

    # PostgreSQL, every row accepted, no members: the chunks as staged, their texts made inside the COPY
    plain = postgres and everything and not batch.member_count
    limit = COPY_ROWS if plain else WRITE_ROWS
    step(5, _("Ghi hộ mới và kết quả rà soát"))
    for lines, h_packed, r_packed in staged_chunks(batch.pk):
        if plain:  # texts made in write(), inside the COPY
            households.append(h_packed)
            reviews.append((h_packed, r_packed))
            pending += lines.count(",") + 1
        else:
            pending += add_chunk(lines, h_packed, r_packed)
        if pending >= limit:
            count, pending = count + pending, 0
            write()
            step(5 + 80 * count // max(batch.row_count, 1), _("Ghi hộ mới và kết quả rà soát"))
    count += pending
    write()
    members = 0
    if batch.member_count:
        step(85, _("Ghi thành viên hộ"))
        # read before writing: a server-side cursor cannot fetch on the connection while its COPY is open
        staged = list(
            StagedMember.objects.filter(batch=batch)
            .order_by("line")
            .values_list("household_code", *STAGED_MEMBER_FIELDS)
        )
        members = bulk.insert(
            Member,
            ["household_id", *STAGED_MEMBER_FIELDS],
            [(ids[code], *rest) for code, *rest in staged if code in ids],
        )
    return count, count, members, 0, communes


def _households_text(packed: str | bytes | memoryview) -> str:
    """A buffered chunk's households as COPY text: made from its typed rows, or as staged before 0855."""
    if isinstance(packed, str):
        return packed
    typed = unpack_rows(packed)
    return decompress(packed) if typed is None else households_text(typed[1])


def _reviews_text(packed: tuple[Any, Any] | str) -> str:
    """(a buffered chunk's households, its reviews) → the reviews as COPY text (typed rows: from the households')."""
    if isinstance(packed, str):
        return packed
    h_packed, r_packed = packed
    typed = unpack_rows(h_packed)
    return decompress(r_packed) if typed is None else reviews_text(typed[1], typed[0])


def _write_again(
    batch: ImportBatch,
    accepted: Accepted,
    standard: PovertyStandard,
    local: PovertyStandard | None,
    step: Progress,
) -> tuple[int, int, int, int, set[int]]:
    """A re-review (some codes on the register): the accepted rows into a temporary table, the other-unit check,
    then INSERT … SELECT that skips existing households and reviews, members, transitions."""
    qn = connection.ops.quote_name
    h_t, r_t, mem_t, m_t = (qn(m._meta.db_table) for m in (Household, Review, Member, StagedMember))
    postgres = connection.vendor == "postgresql"
    codes: dict[str, int] = {}
    communes: set[int] = set()
    step(5, _("Ghi hộ mới"))
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        columns = ", ".join(
            f"{name} {kind if postgres else ''}" for name, kind in zip(ROW_FIELDS, TEMP_TYPES, strict=True)
        )
        cur.execute(f"CREATE TEMP TABLE {TEMP} ({columns})" + (" ON COMMIT DROP" if postgres else ""))
        for packed in staged_chunks(batch.pk):
            keep = [row for row in chunk_rows(*packed) if accepted(row[LINE])]
            for row in keep:
                codes[row[CODE]] = row[LINE]
                communes.add(row[COMMUNE])
                row[HOUSEHOLD_ID] = None  # the register numbers them (some exist)
            bulk.insert(TEMP, ROW_FIELDS, keep)
        _refuse_foreign(batch, codes)
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {h_t}")
        max_before = int(cur.fetchone()[0])
        # No join in the two big statements: existing households/reviews are skipped by the unique constraints
        # (ON CONFLICT DO NOTHING) and a review finds its household by a scalar sub-query on the code's unique
        # index. Joins planned from stale statistics once turned a 100.000-row commit into a quadratic scan (0201).
        cur.execute(
            f"INSERT INTO {h_t} (code, commune_id, village_id, village_name, address, head_name, head_search, "
            f"ethnicity, area) SELECT s.code, s.commune_id, NULL, '', s.address, s.head_name, s.head_search, "
            f"s.ethnicity, s.area FROM {TEMP} s WHERE 1 = 1 ON CONFLICT (code) DO NOTHING"
        )
        households = cur.rowcount
        step(35, _("Ghi kết quả rà soát"))
        false = "false" if postgres else "0"
        cur.execute(
            f"INSERT INTO {r_t} (household_id, commune_id, year, kind, area, income_per_capita_month, "
            f"deprivations, deprivation_count, standard_id, poverty_class, local_standard_id, local_class, "
            f"transition, causes, policy_housing, policy_water, policy_credit, policy_production, "
            f"approval_decision, approved_on, batch_id, ethnicity) SELECT "
            f"(SELECT h.id FROM {h_t} h WHERE h.code = s.code), s.commune_id, %s, %s, "
            f"s.area, s.income_per_capita_month, s.deprivations, s.deprivation_count, %s, s.poverty_class, %s, "
            f"s.local_class, CASE WHEN s.poverty_class IN ('poor', 'near_poor') THEN 'new' ELSE '' END, '[]', "
            f"{false}, {false}, {false}, {false}, '', NULL, %s, s.ethnicity FROM {TEMP} s WHERE 1 = 1 "
            f"ON CONFLICT (household_id, year, kind) DO NOTHING",
            [batch.year, Review.Kind.PERIODIC, standard.pk, local.pk if local else None, batch.pk],
        )
        reviews = cur.rowcount
        if postgres:  # the joins below need the rows' real size (inside the transaction)
            cur.execute(f"ANALYZE {TEMP}, {m_t}")
        members = 0
        if batch.member_count:
            step(65, _("Ghi thành viên hộ"))
            cur.execute(
                f"INSERT INTO {mem_t} (household_id, {', '.join(STAGED_MEMBER_FIELDS)}) SELECT h.id, "
                f"{', '.join('m.' + f for f in STAGED_MEMBER_FIELDS)} FROM {m_t} m "
                f"JOIN {TEMP} s ON s.code = m.household_code JOIN {h_t} h ON h.code = m.household_code "
                f"WHERE m.batch_id = %s "
                f"AND (h.id > %s OR NOT EXISTS (SELECT 1 FROM {mem_t} x WHERE x.household_id = h.id))",
                [batch.pk, max_before],
            )
            members = cur.rowcount
        step(85, _("Xác định biến động so với kỳ trước"))
        changed = _transitions(cur, batch, max_before)
        cur.execute(f"DROP TABLE {TEMP}")
    return households, reviews, members, changed, communes


def _refuse_foreign(batch: ImportBatch, codes: dict[str, int]) -> None:
    """A household of another unit was added with one of the batch's codes after staging (decision 0905)."""
    _existing, foreign, first = register_matches(codes, scope_paths(batch.unit), 5)
    if foreign:
        raise ValidationError(
            _("%(n)s mã hộ đã có trong sổ hộ của đơn vị khác (dòng %(l)s): lô không được ghi.")
            % {"n": foreign, "l": ", ".join(str(line) for line, _code in first)}
        )


def _transitions(cur: Any, batch: ImportBatch, max_before: int) -> int:
    """Reviews of households that existed before this batch: transition against their previous review. Reached
    from the accepted rows (household code → household → this year's review) through unique indexes."""
    qn = connection.ops.quote_name
    r_t, h_t = (qn(m._meta.db_table) for m in (Review, Household))
    cur.execute(
        f"SELECT r.id, r.poverty_class, "
        f"(SELECT p.poverty_class FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"ORDER BY p.year DESC, p.id DESC LIMIT 1), "
        f"(SELECT COUNT(*) FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"AND p.poverty_class = 'poor') "
        f"FROM {TEMP} s JOIN {h_t} h ON h.code = s.code "
        f"JOIN {r_t} r ON r.household_id = h.id AND r.year = %s AND r.kind = %s "
        f"WHERE h.id <= %s AND r.batch_id = %s",
        [batch.year, Review.Kind.PERIODIC, max_before, batch.pk],
    )
    updates = [(transition(prev, cur_cls, bool(ever)), rid) for rid, cur_cls, prev, ever in cur.fetchall()]
    if updates:
        cur.executemany(f"UPDATE {r_t} SET transition = %s WHERE id = %s", updates)
    return len(updates)
