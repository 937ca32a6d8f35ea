"""Report services: create, save values (optimistic locking + rules), submit, approve, return, reopen, bulk approve."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit, path_editable
from mtqg.core.uploads import extension, sniff

from .approvers import approver_levels, approver_path, can_decide
from .models import Report, ReportAttachment, ReportDecision, ReportingPeriod, ReportType, ReportValue
from .notify import report_event
from .validation import compare, compare_rules

S = Report.Status


class StaleVersion(ValidationError):
    """The record changed since the user loaded it; `submitted` keeps the user's input, `current` the saved state."""

    def __init__(self, submitted: dict[str, Any], current: dict[str, Any]) -> None:
        super().__init__(
            _(
                "Báo cáo đã được người khác thay đổi sau khi bạn mở. Dữ liệu bạn nhập vẫn được giữ lại; "
                "vui lòng xem lại và lưu lần nữa."
            ),
            code="stale",
        )
        self.submitted = submitted
        self.current = current


def check_rules(values: dict[str, Decimal | None]) -> dict[str, list[str]]:
    """Blocking cross-field rules (data): {field code: [message]} for violated rules whose codes are both present."""
    return compare(values, compare_rules())


def _check_version(report: Report, version: int, submitted: dict[str, Any]) -> None:
    if report.version != version:
        current = {v.code: v.value for v in report.values.all()}
        raise StaleVersion(submitted, current)


def _lock(report: Report) -> Report:
    return (
        Report.objects.select_related("unit__parent", "report_type", "period")
        .select_for_update(of=("self",))
        .get(pk=report.pk)
    )


def _log(
    report: Report, actor: Any, action: str, old: str, reason: str = "", level: int | None = None
) -> None:
    ReportDecision.objects.create(
        report=report,
        action=action,
        from_status=old,
        to_status=report.status,
        actor=acting_user(actor),
        reason=reason,
        level=level,
    )
    record_change(
        actor=actor, obj=report, action=action, changes={"status": [old, report.status]}, reason=reason
    )


@transaction.atomic
def report_create(*, actor: Any, report_type: ReportType, unit: Any, period: ReportingPeriod) -> Report:
    ensure_can_edit(actor, unit.path)
    if unit.level != report_type.reporting_level:
        raise ValidationError(_("Đơn vị này không thuộc cấp báo cáo của loại báo cáo."))
    if not report_type.expects(period):
        raise ValidationError(_("Loại báo cáo này không có kỳ báo cáo đã chọn."))
    if Report.objects.filter(report_type=report_type, unit=unit, period=period).exists():
        raise ValidationError(_("Báo cáo của đơn vị cho kỳ này đã tồn tại."))
    report = Report.objects.create(
        report_type=report_type, unit=unit, period=period, deadline=report_type.deadline_for(period)
    )
    record_change(actor=actor, obj=report, action="create", changes={"status": [None, report.status]})
    return report


def _parse(raw: dict[str, Any]) -> dict[str, Decimal | None]:
    parsed: dict[str, Decimal | None] = {}
    bad: dict[str, list[str]] = {}
    for code, value in raw.items():
        if value in (None, ""):
            parsed[code] = None
            continue
        try:
            text = str(value).strip().replace(".", "").replace(",", ".") if isinstance(value, str) else value
            parsed[code] = Decimal(text)
        except (InvalidOperation, ValueError):
            bad[code] = [_("Giá trị không phải là số.")]
    if bad:
        raise ValidationError(bad)
    return parsed


@transaction.atomic
def report_save_values(
    *,
    actor: Any,
    report: Report,
    values: dict[str, Any],
    version: int | None = None,
    notes: dict[str, str] | None = None,
    cell_versions: dict[str, int] | None = None,
) -> Report:
    """Save indicator values; refused if locked, stale, unknown codes, or a cross-field rule fails.

    The optimistic lock is the report `version` (whole form, Excel import) or, for autosave of single cells,
    `cell_versions` {code: version of that value row as loaded, 0 if it did not exist}: only a change to the same
    cell by someone else is a conflict."""
    report = _lock(report)
    ensure_can_edit(actor, report.unit.path)
    if report.locked:
        raise ValidationError(_("Báo cáo đã nộp hoặc đã duyệt nên bị khóa; cần mở lại để sửa."))
    if cell_versions is not None:
        rows = {v.code: v.version for v in report.values.all()}
        if any(rows.get(code, 0) != cell_versions.get(code, -1) for code in values):
            raise StaleVersion(values, {v.code: v.value for v in report.values.all()})
    else:
        _check_version(report, -1 if version is None else version, values)
    unknown = set(values) - set(report.report_type.indicators)
    if unknown:
        raise ValidationError(
            _("Chỉ tiêu không thuộc báo cáo: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        )
    parsed = _parse(values)
    existing = {v.code: v for v in report.values.all()}
    merged = {c: v.value for c, v in existing.items()} | parsed
    errors = check_rules(merged)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[Any]] = {}
    notes = notes or {}
    for code, value in parsed.items():
        row = existing.get(code)
        note = notes.get(code, row.note if row else "")
        if row is None:
            ReportValue.objects.create(report=report, code=code, value=value, note=note)
            changes[code] = [None, value]
        elif row.value != value or row.note != note:
            changes[code] = [row.value, value]
            row.value, row.note, row.version = value, note, row.version + 1
            row.save(update_fields=["value", "note", "version"])
    if changes:
        report.version += 1
        report.save(update_fields=["version"])
        record_change(actor=actor, obj=report, action="save_values", changes=changes)
    return report


def _transition(report: Report, version: int, allowed: tuple[str, ...]) -> Report:
    report = _lock(report)
    _check_version(report, version, {})
    if report.status not in allowed:
        raise ValidationError(
            _("Không thể thực hiện thao tác này khi báo cáo ở trạng thái “%(s)s”.")
            % {"s": report.get_status_display()}
        )
    return report


def _ensure_approver(actor: Any, report: Report) -> None:
    if actor is None:
        return
    if not can_decide(actor, report):
        raise PermissionDenied(_("Bạn không có quyền duyệt báo cáo của đơn vị này (cần quyền ở cấp trên)."))
    if report.report_type.separation_of_duties and report.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Không được tự duyệt hoặc trả lại báo cáo do chính mình nộp."))


@transaction.atomic
def report_submit(*, actor: Any, report: Report, version: int) -> Report:
    report = _transition(report, version, (S.DRAFT, S.RETURNED))
    ensure_can_edit(actor, report.unit.path)
    errors = check_rules({v.code: v.value for v in report.values.all()})
    if errors:
        raise ValidationError(errors)
    old = report.status
    report.status, report.submitted_at = S.SUBMITTED, timezone.now()
    report.pending_level = approver_levels(report.report_type)[0]
    report.submitted_by = acting_user(actor)
    report.version += 1
    report.save()
    _log(report, actor, "submit", old, level=report.unit.level)
    _notify(report, "submitted")
    return report


@transaction.atomic
def report_approve(*, actor: Any, report: Report, version: int) -> Report:
    """Approve at the pending level: forwards to the next level of the chain, or approves (and locks) at the last."""
    report = _transition(report, version, (S.SUBMITTED,))
    _ensure_approver(actor, report)
    old, level = report.status, report.pending_level
    levels = approver_levels(report.report_type)
    following = [lvl for lvl in levels if level is not None and lvl < level]
    report.decided_at, report.reason = timezone.now(), ""
    report.decided_by = acting_user(actor)
    if following:
        report.pending_level = following[0]
    else:
        report.status, report.pending_level = S.APPROVED, None
    report.version += 1
    report.save()
    _log(report, actor, "approve", old, level=level)
    _notify(report, "approved" if report.status == S.APPROVED else "forwarded")
    return report


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Cần ghi rõ lý do.")]})
    return reason


@transaction.atomic
def report_return(*, actor: Any, report: Report, version: int, reason: str) -> Report:
    reason = _need_reason(reason)
    report = _transition(report, version, (S.SUBMITTED,))
    _ensure_approver(actor, report)
    old, level = report.status, report.pending_level
    report.status, report.decided_at, report.reason = S.RETURNED, timezone.now(), reason
    report.pending_level = None
    report.decided_by = acting_user(actor)
    report.version += 1
    report.save()
    _log(report, actor, "return", old, reason, level=level)
    _notify(report, "returned")
    return report


@transaction.atomic
def report_reopen(*, actor: Any, report: Report, version: int, reason: str) -> Report:
    """Only the approver level may reopen an approved report, with a reason; it goes back to draft."""
    reason = _need_reason(reason)
    report = _transition(report, version, (S.APPROVED,))
    if actor is not None and not can_reopen(actor, report):
        raise PermissionDenied(_("Chỉ cấp duyệt mới được mở lại báo cáo đã duyệt."))
    old = report.status
    report.status, report.reason, report.pending_level = S.DRAFT, reason, None
    report.version += 1
    report.save()
    _log(report, actor, "reopen", old, reason)
    _notify(report, "reopened")
    return report


def can_reopen(actor: Any, report: Report) -> bool:
    return report.status == S.APPROVED and path_editable(actor, approver_path(report))


@transaction.atomic
def report_bulk_approve(*, actor: Any, reports: list[Report]) -> int:
    """Approve every submitted report given (e.g. a province's list) that waits at a level the actor decides;
    all or nothing: one refusal (scope, separation of duties, stale) rolls the whole batch back."""
    count = 0
    for report in reports:
        own = report.report_type.separation_of_duties and report.submitted_by_id == getattr(actor, "pk", None)
        if report.status == S.SUBMITTED and (actor is None or (can_decide(actor, report) and not own)):
            report_approve(actor=actor, report=report, version=report.version)
            count += 1
    return count


def _notify(report: Report, event: str) -> None:
    """Notify the right users after commit (see notify.py); nothing is sent if the transaction rolls back."""
    transaction.on_commit(lambda: report_event(report.pk, event))


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "zip"}


@transaction.atomic
def report_attach(*, actor: Any, report: Report, title: str, upload: Any) -> ReportAttachment:
    """Attach a file (evidence) to a report that is still editable (draft or returned)."""
    report = _lock(report)
    ensure_can_edit(actor, report.unit.path)
    if report.locked:
        raise ValidationError(_("Báo cáo đã nộp hoặc đã duyệt nên bị khóa; cần mở lại để sửa."))
    name = str(getattr(upload, "name", "") or "")
    ext = extension(upload)
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {"file": [_("Chỉ nhận tệp %(ext)s.") % {"ext": ", ".join(sorted(ATTACHMENT_EXTENSIONS))}]}
        )
    if getattr(upload, "size", 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("Tệp lớn hơn 20 MB.")]})
    if sniff(upload, (ext,)) is None:  # the content must be what the extension says
        raise ValidationError({"file": [_("Nội dung tệp không khớp với đuôi tệp.")]})
    title = (title or name).strip()[:200]
    att = ReportAttachment(report=report, title=title)
    att.file.save(name, upload, save=False)
    att.save()
    report.version += 1
    report.save(update_fields=["version"])
    record_change(actor=actor, obj=report, action="attach", changes={"attachment": [None, title]})
    return att
