"""The import's services: staging a file (dry run), the checker's decisions, the commit request and its job
(`<entity>_<verb>(*, actor, …)`, a change record in the same transaction)."""

from __future__ import annotations

import logging
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.accounts.models import Assignment
from mtqg.core.audit import record_change
from mtqg.core.jobs import job_enqueue
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.xlsx_guard import TooLarge, TooManyRows, TooSlow, TooWide, Unreadable, check_rows
from mtqg.geo.models import UnitVersion
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.services import notification_send

from ..models import Decision, ImportBatch, Review, StagedDecision, StagedMember
from ..standards import local_standard_for, standard_for
from .commit import batch_write_to_register, ready
from .parallel import stage_parallel
from .reader import MEMBER_SHEET, as_stream, csv_rows, sha256_of, unreadable_file_message, xlsx_rows
from .staging import (
    MEMBER_COLUMNS,
    ChunkWriter,
    ReviewConstants,
    StagingWriter,
    sqlite_page_cache,
    staged_lines_in,
    staging_delete,
)
from .validate import (
    RowErrors,
    check_register,
    communes_of,
    province_code,
    scan_households,
    scan_members,
    scope_paths,
)

XLSX_MAX_ROWS = 200_000  # per sheet (≈ 260 MB in calamine); larger reviews come as CSV, which streams

logger = logging.getLogger(__name__)


@transaction.atomic
def batch_stage(
    *,
    actor: Any,
    unit: UnitVersion,
    year: int,
    data: bytes | IO[bytes],
    name: str,
    members: bytes | IO[bytes] | None = None,
    members_name: str = "",
) -> ImportBatch:
    """Dry run + staging. Returns the existing batch when the same file was already staged or committed for the
    unit and year (idempotent re-import). Nothing enters the register here."""
    ensure_can_edit(actor, unit.path)
    standard = standard_for(year)
    source = as_stream(data)
    member_source = as_stream(members) if members is not None else None
    sha = sha256_of([source] + ([member_source] if member_source else []))
    existing = (
        ImportBatch.objects.filter(unit=unit, year=year, file_sha256=sha)
        .exclude(status__in=[ImportBatch.Status.INVALID, ImportBatch.Status.REJECTED])
        .first()
    )
    if existing is not None:
        return existing
    batch = ImportBatch.objects.create(
        unit=unit,
        year=year,
        file_name=name[:255],
        file_sha256=sha,
        status=ImportBatch.Status.STAGED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    sqlite_page_cache()
    errors = RowErrors()
    local = local_standard_for(year, province_code(unit))
    rows = ChunkWriter(
        ReviewConstants(year, Review.Kind.PERIODIC.value, standard.pk, local.pk if local else None, batch.pk)
    )
    member_rows = StagingWriter(StagedMember, MEMBER_COLUMNS)
    seen: dict[str, int] = {}  # code → first line
    counts: dict[tuple[int, str, str, str], int] = {}
    xlsx = name.lower().endswith(".xlsx")
    try:
        if xlsx:  # calamine holds a whole sheet in memory: count the rows on the zip stream first (0201)
            check_rows(source, XLSX_MAX_ROWS)
            if member_source is not None and members_name.lower().endswith(".xlsx"):
                check_rows(member_source, XLSX_MAX_ROWS)
        communes = communes_of(unit, year)
        fast = None
        # a large clean CSV is validated on every core (0830); otherwise, or on anything unusual: serially
        if not xlsx:
            fast = stage_parallel(
                source,
                standard=standard,
                local=local,
                communes=communes,
                constants=rows.constants,
                scope=scope_paths(unit),
                seen=seen,
                counts=counts,
            )
        if fast is None:
            it = xlsx_rows(source, None) if xlsx else csv_rows(source)
            scan_households(
                it,
                standard=standard,
                local=local,
                communes=communes,
                stager=rows,
                errors=errors,
                seen=seen,
                counts=counts,
            )
            rows.flush()
        else:
            rows.count = fast[0]
        batch.existing_households = check_register(seen, unit, errors, None if fast is None else fast[1])
        if member_source is not None or xlsx:
            if member_source is not None:
                mxlsx = members_name.lower().endswith(".xlsx")
                mit = xlsx_rows(member_source, MEMBER_SHEET) if mxlsx else csv_rows(member_source)
            else:
                mit = xlsx_rows(as_stream(data), MEMBER_SHEET)
            scan_members(
                mit,
                batch_id=batch.pk,
                households=seen,
                today=timezone.localdate(),
                stager=member_rows,
                errors=errors,
            )
            member_rows.flush()
    except (TooManyRows, TooLarge) as exc:
        errors.add(_("Hộ"), 1, "", " ".join(exc.messages) + " " + _("Tệp CSV không bị giới hạn số dòng."))
    except (Unreadable, TooWide, TooSlow) as exc:  # the guard could not check the file to its end (0910)
        errors.add(_("Hộ"), 1, "", " ".join(exc.messages))
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # not a readable CSV/XLSX at all
        logger.info("import file unreadable: %s", exc)  # the library's own words stay in the log
        errors.add(_("Hộ"), 1, "", unreadable_file_message())
    finally:
        rows.close()
        member_rows.close()
    if errors.count:
        staging_delete(batch.pk)
        batch.status = ImportBatch.Status.INVALID
        household_sheet = _("Hộ")
        batch.row_count = rows.count + len({ln for sh, ln in errors.lines if sh == household_sheet})
    else:
        batch.row_count, batch.member_count = rows.count, member_rows.count
        batch.tally = [[*key, n] for key, n in counts.items()]
    batch.error_count, batch.errors = errors.count, errors.items
    if errors.count > len(errors.items):
        batch.note = _("Chỉ lưu %(n)s lỗi đầu tiên.") % {"n": len(errors.items)}
    batch.save()
    record_change(
        actor=actor,
        obj=batch,
        action="created",
        changes={"status": [None, batch.status], "rows": [0, batch.row_count], "errors": [0, errors.count]},
    )
    if batch.status == ImportBatch.Status.STAGED:
        _notify_checkers(batch)
    return batch


def _notify_checkers(batch: ImportBatch) -> None:
    checkers = [
        u
        for u in users_covering(batch.unit.path, access=Assignment.Access.ENTRY)
        if u.pk != batch.created_by_id
    ]
    if checkers:
        notification_send(
            recipients=checkers,
            category="poverty.batch_staged",
            title=_("Lô %(f)s (%(n)s hộ) chờ duyệt") % {"f": batch.file_name, "n": batch.row_count},
            body=_("Năm rà soát %(y)s, %(u)s.") % {"y": batch.year, "u": batch.unit.name},
            url=f"/poverty/nhap/{batch.pk}/",
            key=f"poverty-batch-{batch.pk}",
        )


def validate_file(data: bytes, name: str, year: int, unit: UnitVersion) -> list[dict[str, Any]]:
    """Dry run without keeping anything: the per-row errors of a file."""
    sid = transaction.savepoint()
    try:
        return list(batch_stage(actor=None, unit=unit, year=year, data=data, name=name).errors)
    finally:
        transaction.savepoint_rollback(sid)


def _check_checker(actor: Any, batch: ImportBatch) -> None:
    if actor is not None:
        ensure_can_edit(actor, batch.unit.path)
        if batch.created_by_id == actor.pk:
            raise PermissionDenied(_("Người duyệt phải khác người nhập (nguyên tắc hai người)."))
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Lô không ở trạng thái chờ duyệt."))


@transaction.atomic
def staged_row_decide(*, actor: Any, batch: ImportBatch, lines: list[int], decision: str) -> int:
    """Checker accepts or rejects records (by line number; undecided: the decision is withdrawn). Returns how many
    staged rows changed; lines that are not staged rows of the batch are ignored."""
    _check_checker(actor, batch)
    if decision not in (Decision.ACCEPTED, Decision.REJECTED, Decision.UNDECIDED):
        raise ValidationError(_("Quyết định không hợp lệ."))
    staged = staged_lines_in(batch.pk, lines)
    before = dict(StagedDecision.objects.filter(batch=batch, line__in=staged).values_list("line", "decision"))
    changed = sorted(line for line in staged if before.get(line, Decision.UNDECIDED) != decision)
    StagedDecision.objects.filter(batch=batch, line__in=changed).delete()
    if decision != Decision.UNDECIDED:
        StagedDecision.objects.bulk_create(
            StagedDecision(batch=batch, line=line, decision=decision) for line in changed
        )
    record_change(
        actor=actor,
        obj=batch,
        action="decided",
        changes={"lines": [None, sorted(lines)[:50]], "decision": [None, decision]},
    )
    return len(changed)


@transaction.atomic
def batch_accept_rest(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Bulk decision: every record not yet decided is accepted (O(1): a flag read by the commit)."""
    _check_checker(actor, batch)
    batch.accept_undecided = True
    batch.save(update_fields=["accept_undecided"])
    record_change(actor=actor, obj=batch, action="accepted_rest", changes={"accept_undecided": [False, True]})
    return batch


@transaction.atomic
def batch_reject(*, actor: Any, batch: ImportBatch, reason: str) -> ImportBatch:
    ensure_can_edit(actor, batch.unit.path)
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Chỉ từ chối được lô đang chờ duyệt."))
    batch.status, batch.checked_by, batch.checked_at, batch.note = (
        ImportBatch.Status.REJECTED,
        actor if getattr(actor, "is_authenticated", False) else None,
        timezone.now(),
        reason[:255],
    )
    batch.save()
    staging_delete(batch.pk)
    record_change(
        actor=actor, obj=batch, action="rejected", changes={"status": ["staged", "rejected"]}, reason=reason
    )
    return batch


@transaction.atomic
def batch_commit_request(*, actor: Any, batch: ImportBatch) -> Any:
    """Checker commits: the batch goes to COMMITTING and a background job writes it. Returns the Job."""
    batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    _check_checker(actor, batch)
    ready(batch)
    batch.status = ImportBatch.Status.COMMITTING
    batch.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    batch.checked_at = timezone.now()
    job = job_enqueue(
        actor=actor,
        kind="poverty.batch_commit",
        params={"batch_id": batch.pk},
        title=_("Ghi lô %(f)s vào sổ hộ") % {"f": batch.file_name},
    )
    batch.job_id = str(job.pk)
    batch.save()
    record_change(
        actor=actor, obj=batch, action="commit_requested", changes={"status": ["staged", "committing"]}
    )
    return job


def batch_commit_job(ctx: Any, *, batch_id: int) -> dict[str, Any]:
    """Job handler `poverty.batch_commit`: writes the batch in one transaction, with progress."""
    batch = ImportBatch.objects.select_related("unit").get(pk=batch_id)
    try:
        return batch_write_to_register(batch, actor=ctx.actor, progress=ctx.progress)
    except Exception:
        # the commit rolled back as a whole: the batch goes back to the checker (the job shows the message)
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).update(
            status=ImportBatch.Status.STAGED
        )
        raise


def batch_approve(*, actor: Any, batch: ImportBatch) -> int:
    """Checker approves everything not rejected and commits now (synchronously). Returns reviews created."""
    with transaction.atomic():
        _check_checker(actor, batch)
        batch.accept_undecided = True
        batch.checked_by = actor if getattr(actor, "is_authenticated", False) else None
        batch.checked_at = timezone.now()
        batch.status = ImportBatch.Status.COMMITTING
        batch.save()
    return int(batch_write_to_register(batch, actor=actor)["reviews"])
