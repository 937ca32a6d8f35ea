"""The commit: the accepted staged rows written into the register by set-based SQL in one transaction —
households, reviews, members, then the transitions of households reviewed before and the tallies (decision 0201)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change

from ..models import Household, ImportBatch, Member, Review, StagedMember, StagedRow
from ..standards import local_standard_for, standard_for
from ..tally import tally_add, tally_refresh
from ..transitions import transition
from .staging import sqlite_page_cache, staging_delete
from .validate import province_code, register_matches, scope_paths

NEW_CLASSES = frozenset(
    {"poor", "near_poor"}
)  # a household new to the register: transition "new" (phát sinh mới)


Progress = Callable[[int, str], None]


def ready(batch: ImportBatch) -> None:
    if not batch.accept_undecided and StagedRow.objects.filter(batch=batch, decision="").exists():
        raise ValidationError(
            _("Còn dòng chưa xét: chấp nhận hoặc loại từng dòng, hoặc chấp nhận tất cả còn lại.")
        )


def _accepted(alias: str, batch: ImportBatch) -> str:
    if batch.accept_undecided:
        return f"{alias}.decision <> 'rejected'"
    return f"{alias}.decision = 'accepted'"


@transaction.atomic
def batch_write_to_register(
    batch: ImportBatch, *, actor: Any = None, progress: Progress | None = None
) -> dict[str, Any]:
    """INSERT … SELECT from staging into the register (households, reviews, members), then transitions."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportBatch.Status.COMMITTING, ImportBatch.Status.STAGED):
        raise ValidationError(_("Lô không ở trạng thái chờ ghi sổ."))
    ready(batch)

    def step(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    sqlite_page_cache()
    qn = connection.ops.quote_name
    s_t, m_t = qn(StagedRow._meta.db_table), qn(StagedMember._meta.db_table)
    h_t, r_t, mem_t = qn(Household._meta.db_table), qn(Review._meta.db_table), qn(Member._meta.db_table)
    standard = standard_for(batch.year)
    local = local_standard_for(batch.year, province_code(batch.unit))
    accepted = _accepted("s", batch)
    false = "false" if connection.vendor == "postgresql" else "0"
    probe = f"(SELECT h.id FROM {h_t} h WHERE h.code = s.code)"  # one look-up in the code's unique index
    # PostgreSQL stages each row with an id reserved from the household sequence (NULL on SQLite, and in batches
    # staged before 0815): a NULL id takes the table's default, SQLite's INTEGER PRIMARY KEY assigns one itself.
    new_id = (
        f"COALESCE(s.household_id, nextval(pg_get_serial_sequence('{Household._meta.db_table}', 'id')))"
        if connection.vendor == "postgresql"
        else "s.household_id"
    )
    with connection.cursor() as cur:
        step(5, _("Ghi hộ mới"))
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {h_t}")
        max_before = int(cur.fetchone()[0])
        # Staging counted the codes already on the register (a re-review). None: a plain insert of new households
        # and their reviews with the ids reserved at staging — no look-up per row, no ON CONFLICT (its speculative
        # insertion costs a third more). A household added since makes it fail inside its savepoint, and the
        # commit redoes it the re-review way.
        existing = batch.existing_households > 0
        if existing:  # a household of another unit may have taken one of these codes since staging
            _refuse_foreign(batch)

        def write(skip_existing: bool) -> tuple[int, int]:
            # No join in the two big statements: existing households/reviews are skipped by the unique constraints
            # (ON CONFLICT DO NOTHING) and a review finds its household by a scalar sub-query on the code's unique
            # index. Joins planned from stale statistics once turned a 100.000-row commit into a quadratic scan
            # (0201).
            conflict = " ON CONFLICT ({}) DO NOTHING" if skip_existing else ""
            ident, household = (
                ("", probe) if skip_existing else ("id, ", f"COALESCE(s.household_id, {probe})")
            )
            cur.execute(
                f"INSERT INTO {h_t} ({ident}code, commune_id, village_id, village_name, address, head_name, "
                f"head_search, ethnicity, area) SELECT {new_id + ', ' if ident else ''}s.code, s.commune_id, NULL, "
                f"'', s.address, s.head_name, s.head_search, s.ethnicity, s.area FROM {s_t} s "
                f"WHERE s.batch_id = %s AND {accepted}" + conflict.format("code"),
                [batch.pk],
            )
            new_households = cur.rowcount
            step(35, _("Ghi kết quả rà soát"))
            cur.execute(
                f"INSERT INTO {r_t} (household_id, commune_id, year, kind, area, income_per_capita_month, "
                f"deprivations, deprivation_count, standard_id, poverty_class, local_standard_id, local_class, "
                f"transition, causes, policy_housing, policy_water, policy_credit, policy_production, "
                f"approval_decision, approved_on, batch_id, ethnicity) SELECT {household}, s.commune_id, %s, %s, "
                f"s.area, s.income_per_capita_month, s.deprivations, s.deprivation_count, %s, s.poverty_class, %s, "
                f"s.local_class, CASE WHEN s.poverty_class IN ('poor', 'near_poor') THEN 'new' ELSE '' END, '[]', "
                f"{false}, {false}, {false}, {false}, '', NULL, %s, s.ethnicity "
                f"FROM {s_t} s WHERE s.batch_id = %s AND {accepted}"
                + conflict.format("household_id, year, kind"),
                [
                    batch.year,
                    Review.Kind.PERIODIC,
                    standard.pk,
                    local.pk if local else None,
                    batch.pk,
                    batch.pk,
                ],
            )
            return new_households, cur.rowcount

        try:
            with transaction.atomic():  # a savepoint: someone may add one of these households meanwhile
                households, reviews = write(skip_existing=existing)
        except IntegrityError:  # a household was added since staging: check its unit, then skip existing ones
            existing = True
            _refuse_foreign(batch)
            households, reviews = write(skip_existing=True)
        members = 0
        if batch.member_count or existing:
            _analyze(cur, s_t, m_t)  # the joins below need the staged rows' real size
        if batch.member_count:
            step(65, _("Ghi thành viên hộ"))
            cur.execute(
                f"INSERT INTO {mem_t} (household_id, full_name, search_name, birth_date, sex, relation, id_number, "
                f"ethnicity, schooling, health_insurance, disability, employment) SELECT h.id, m.full_name, "
                f"m.search_name, m.birth_date, m.sex, m.relation, m.id_number, m.ethnicity, m.schooling, "
                f"m.health_insurance, m.disability, m.employment FROM {m_t} m "
                f"JOIN {s_t} s ON s.batch_id = m.batch_id AND s.code = m.household_code AND {accepted} "
                f"JOIN {h_t} h ON h.code = m.household_code WHERE m.batch_id = %s "
                f"AND (h.id > %s OR NOT EXISTS (SELECT 1 FROM {mem_t} x WHERE x.household_id = h.id))",
                [batch.pk, max_before],
            )
            members = cur.rowcount
        step(85, _("Xác định biến động so với kỳ trước"))
        changed = _transitions(cur, batch, max_before) if existing else 0
        step(95, _("Cập nhật số liệu tổng hợp"))
        if not existing and reviews == batch.row_count and batch.tally:
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
            cur.execute(
                f"SELECT DISTINCT s.commune_id FROM {s_t} s WHERE s.batch_id = %s AND {accepted}", [batch.pk]
            )
            tally_refresh([row[0] for row in cur.fetchall()], [batch.year])
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


def _refuse_foreign(batch: ImportBatch) -> None:
    """A household of another unit was added with one of the batch's codes after staging (decision 0905)."""
    _existing, foreign, first = register_matches(batch.pk, scope_paths(batch.unit), 5)
    if foreign:
        raise ValidationError(
            _("%(n)s mã hộ đã có trong sổ hộ của đơn vị khác (dòng %(l)s): lô không được ghi.")
            % {"n": foreign, "l": ", ".join(str(line) for line, _code in first)}
        )


def _analyze(cur: Any, *tables: str) -> None:
    """PostgreSQL: statistics for freshly staged rows before a join over them (inside the transaction)."""
    if connection.vendor == "postgresql":
        cur.execute(f"ANALYZE {', '.join(tables)}")


def _transitions(cur: Any, batch: ImportBatch, max_before: int) -> int:
    """Reviews of households that existed before this batch: transition against their previous review. Reached
    from the staged rows (household code → household → this year's review) through unique indexes."""
    qn = connection.ops.quote_name
    r_t, h_t, s_t = (qn(m._meta.db_table) for m in (Review, Household, StagedRow))
    cur.execute(
        f"SELECT r.id, r.poverty_class, "
        f"(SELECT p.poverty_class FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"ORDER BY p.year DESC, p.id DESC LIMIT 1), "
        f"(SELECT COUNT(*) FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"AND p.poverty_class = 'poor') "
        f"FROM {s_t} s JOIN {h_t} h ON h.code = s.code "
        f"JOIN {r_t} r ON r.household_id = h.id AND r.year = %s AND r.kind = %s "
        f"WHERE s.batch_id = %s AND {_accepted('s', batch)} AND h.id <= %s AND r.batch_id = %s",
        [batch.year, Review.Kind.PERIODIC, batch.pk, max_before, batch.pk],
    )
    updates = [(transition(prev, cur_cls, bool(ever)), rid) for rid, cur_cls, prev, ever in cur.fetchall()]
    if updates:
        cur.executemany(f"UPDATE {r_t} SET transition = %s WHERE id = %s", updates)
    return len(updates)
