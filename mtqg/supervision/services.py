"""Writes: `<entity>_<verb>(*, actor, ...)`, atomic, scope-checked on the visited unit's path, audited."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, diff, record_change, snapshot
from mtqg.core.scoping import ensure_can_edit, path_editable
from mtqg.core.uploads import SAFE_TYPES, extension, sniff, zip_holds
from mtqg.core.versioning import version_claim, versioned_save
from mtqg.geo.models import UnitVersion

from .models import Agreement, Attachment, Finding, FollowUp, Mission, Recommendation, Snapshot
from .themes import themes

_Row = TypeVar("_Row", bound=models.Model)

# the kinds of evidence accepted (sniffed from the bytes) → the file-name extensions that may carry each
EVIDENCE_EXTENSIONS = {"pdf": ("pdf",), "jpg": ("jpg", "jpeg"), "png": ("png",), "docx": ("docx",)}


def evidence_kind(upload: UploadedFile) -> str | None:
    """The file's real kind from its bytes (a DOCX is a ZIP holding word/document.xml), or None."""
    kind = sniff(upload, EVIDENCE_EXTENSIONS)
    if kind == "docx" and not zip_holds(upload, "word/document.xml"):
        return None
    return kind


PROVINCE_ISSUERS = (Recommendation.Party.PROVINCE, Recommendation.Party.DEPARTMENT)


def _check(actor: Any, mission: Mission) -> None:
    ensure_can_edit(actor, mission.unit.path)


def _check_theme(theme: str) -> None:
    if theme not in themes():
        raise ValidationError({"theme": _("Chủ đề không có trong danh mục.")})


def _check_dates(unit: UnitVersion, start_date: date, end_date: date) -> None:
    """A mission ends on or after its start day, at a unit in force on that day."""
    if end_date < start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    if not unit.valid_on(start_date):
        raise ValidationError({"unit": _("Đơn vị không còn hiệu lực vào ngày làm việc của đoàn.")})


def _created(actor: Any, obj: _Row, field: str, value: str) -> _Row:
    """Validates and saves a new row; its change record names the field that says what it is."""
    obj.full_clean()
    obj.save()
    record_change(actor=actor, obj=obj, action="create", changes={field: [None, value]})
    return obj


@transaction.atomic
def mission_create(
    *,
    actor: Any,
    kind: str,
    organiser: str,
    title: str,
    leader: str,
    unit: UnitVersion,
    start_date: date,
    end_date: date | None = None,
    organiser_name: str = "",
    members: str = "",
    programs: list[str] | None = None,
    agenda: str = "",
    source: str = "",
) -> Mission:
    ensure_can_edit(actor, unit.path)
    end_date = end_date or start_date
    _check_dates(unit, start_date, end_date)
    mission = Mission(
        kind=kind,
        organiser=organiser,
        organiser_name=organiser_name,
        title=title,
        leader=leader,
        members=members,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        programs=programs or [],
        agenda=agenda,
        source=source,
    )
    return _created(actor, mission, "title", title)


MISSION_FIELDS = (
    "kind",
    "organiser",
    "organiser_name",
    "title",
    "leader",
    "members",
    "unit",
    "start_date",
    "end_date",
    "programs",
    "agenda",
    "source",
)


@transaction.atomic
def mission_update(
    *, actor: Any, mission: Mission, expected_version: int | None = None, **fields: Any
) -> Mission:
    """Edit a mission (both the old and the new unit must be editable); deadlines already set must still follow
    the start date. `expected_version`: the version the form was opened at (StaleEdit if saved since, 0909)."""
    mission = Mission.objects.select_for_update().select_related("unit").get(pk=mission.pk)
    _check(actor, mission)
    unknown = set(fields) - set(MISSION_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(mission, list(MISSION_FIELDS))
    for key, value in fields.items():
        setattr(mission, key, value)
    ensure_can_edit(actor, mission.unit.path)
    mission.end_date = mission.end_date or mission.start_date
    _check_dates(mission.unit, mission.start_date, mission.end_date)
    early = mission.recommendations.filter(deadline__lt=mission.start_date).count()
    if early:
        raise ValidationError(
            {"start_date": _("Có %(n)s kiến nghị có thời hạn trước ngày bắt đầu mới.") % {"n": early}}
        )
    mission.full_clean()
    changes = diff(before, snapshot(mission, list(MISSION_FIELDS)))
    if changes:
        version_claim(mission, expected_version, changes)
    mission.save()
    if changes:
        record_change(actor=actor, obj=mission, action="update", changes=changes)
    return mission


@transaction.atomic
def attachment_add(
    *, actor: Any, mission: Mission, kind: str, upload: UploadedFile, caption: str = ""
) -> Attachment:
    """PDF/DOCX/JPEG/PNG only (sniffed from the bytes, extension must agree), at most settings.EVIDENCE_MAX_BYTES."""
    _check(actor, mission)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("Tệp vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": limit // (1024 * 1024)}}
        )
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("Loại tài liệu không hợp lệ.")})
    file_kind = evidence_kind(upload)
    if file_kind is None or extension(upload) not in EVIDENCE_EXTENSIONS[file_kind]:
        raise ValidationError(
            {
                "file": _(
                    "Chỉ chấp nhận tệp PDF, DOCX, JPEG hoặc PNG (nội dung tệp phải đúng với đuôi tên tệp)."
                )
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    att = Attachment(
        mission=mission,
        kind=kind,
        caption=caption,
        content_type=SAFE_TYPES[file_kind],
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    att.file.save(upload.name or "tep", upload, save=False)
    att.save()
    record_change(actor=actor, obj=att, action="create", changes={"file": [None, att.file.name]})
    return att


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    mission: Mission,
    title: str,
    parties: str,
    signed_on: date,
    period: str = "",
    summary: str = "",
) -> Agreement:
    _check(actor, mission)
    agreement = Agreement.objects.create(
        mission=mission, title=title, parties=parties, signed_on=signed_on, period=period, summary=summary
    )
    record_change(actor=actor, obj=agreement, action="create", changes={"title": [None, title]})
    return agreement


@transaction.atomic
def finding_create(
    *,
    actor: Any,
    mission: Mission,
    kind: str,
    raised_by: str,
    theme: str,
    content: str,
    evidence_ref: str = "",
) -> Finding:
    _check(actor, mission)
    _check_theme(theme)
    finding = Finding(
        mission=mission,
        kind=kind,
        raised_by=raised_by,
        theme=theme,
        content=content,
        evidence_ref=evidence_ref,
    )
    return _created(actor, finding, "content", content[:200])


@transaction.atomic
def recommendation_create(
    *,
    actor: Any,
    mission: Mission,
    from_party: str,
    to_party: str,
    theme: str,
    content: str,
    deadline: date | None = None,
    from_name: str = "",
    to_name: str = "",
    responsible_unit: UnitVersion | None = None,
    responsible_name: str = "",
) -> Recommendation:
    _check(actor, mission)
    _check_theme(theme)
    if deadline is not None and deadline < mission.start_date:
        raise ValidationError(
            {
                "deadline": _("Thời hạn không được trước ngày làm việc của đoàn (%(d)s).")
                % {"d": f"{mission.start_date:%d/%m/%Y}"}
            }
        )
    if responsible_unit is not None and from_party in PROVINCE_ISSUERS:
        if actor is not None and not path_editable(actor, responsible_unit.path):
            raise ValidationError(
                {"responsible_unit": _("Đơn vị chịu trách nhiệm nằm ngoài phạm vi quản lý của bạn.")}
            )
        if not responsible_unit.path.startswith(mission.unit.path):
            raise ValidationError(
                {
                    "responsible_unit": _(
                        "Đơn vị chịu trách nhiệm phải thuộc địa bàn của đơn vị ban hành kiến nghị."
                    )
                }
            )
    rec = Recommendation(
        mission=mission,
        from_party=from_party,
        from_name=from_name,
        to_party=to_party,
        to_name=to_name,
        theme=theme,
        content=content,
        deadline=deadline,
        responsible_unit=responsible_unit,
        responsible_name=responsible_name,
        issued_by=acting_user(actor),
    )
    return _created(actor, rec, "content", content[:200])


@transaction.atomic
def followup_create(
    *,
    actor: Any,
    recommendation: Recommendation,
    reported_on: date,
    content: str,
    evidence_ref: str = "",
    new_status: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> FollowUp:
    """A progress entry; may move the status to 'đang thực hiện' or 'không thực hiện' (with a reason).
    'Đã thực hiện' is set only by closure (the issuer). A status change is refused (StaleEdit) if the
    recommendation changed after the page was opened at `expected_version` (0909)."""
    rec = Recommendation.objects.select_for_update().select_related("mission__unit").get(pk=recommendation.pk)
    _check(actor, rec.mission)
    if rec.status not in Recommendation.OPEN:
        raise ValidationError(_("Kiến nghị đã đóng, không thể cập nhật thêm."))
    if not content.strip():
        raise ValidationError({"content": _("Vui lòng nhập nội dung.")})
    if reported_on < rec.mission.start_date:
        raise ValidationError({"reported_on": _("Ngày báo cáo không được trước ngày làm việc của đoàn.")})
    allowed = {"", Recommendation.Status.IN_PROGRESS, Recommendation.Status.NOT_DONE}
    if new_status not in allowed:
        raise ValidationError({"new_status": _("Chỉ bên ban hành kiến nghị mới được đóng kiến nghị.")})
    if new_status == Recommendation.Status.NOT_DONE and not reason.strip():
        raise ValidationError({"reason": _("Vui lòng nêu lý do không thực hiện.")})
    fu = FollowUp.objects.create(
        recommendation=rec,
        reported_on=reported_on,
        content=content,
        evidence_ref=evidence_ref,
        new_status=new_status,
        author=acting_user(actor),
    )
    record_change(actor=actor, obj=fu, action="create", changes={"content": [None, content[:200]]})
    if new_status:
        before = snapshot(rec, ["status", "status_reason"])
        rec.status = new_status
        rec.status_reason = reason
        changes = diff(before, snapshot(rec, ["status", "status_reason"]))
        versioned_save(
            rec,
            actor=actor,
            expected=expected_version,
            changes=changes,
            update_fields=["status", "status_reason"],
        )
    return fu


@transaction.atomic
def recommendation_close(
    *, actor: Any, recommendation: Recommendation, reason: str = "", expected_version: int | None = None
) -> Recommendation:
    """Closure ('đã thực hiện') by the issuer only; refused (StaleEdit) if the recommendation changed after the
    page was opened at `expected_version` (0909)."""
    rec = Recommendation.objects.select_for_update().select_related("mission__unit").get(pk=recommendation.pk)
    _check(actor, rec.mission)
    if actor is not None and rec.issued_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ bên ban hành kiến nghị mới được đóng kiến nghị."))
    if rec.status not in Recommendation.OPEN:
        raise ValidationError(_("Kiến nghị đã đóng."))
    before = snapshot(rec, ["status", "status_reason"])
    rec.status = Recommendation.Status.DONE
    rec.status_reason = reason
    rec.closed_by = acting_user(actor)
    rec.closed_at = timezone.now()
    changes = diff(before, snapshot(rec, ["status", "status_reason"]))
    versioned_save(
        rec,
        actor=actor,
        expected=expected_version,
        changes=changes,
        update_fields=["status", "status_reason", "closed_by", "closed_at"],
    )
    return rec


@transaction.atomic
def snapshot_create(
    *,
    actor: Any,
    report: str,
    unit: UnitVersion,
    figures: dict[str, Any],
    params: dict[str, Any] | None = None,
    rendered: bytes = b"",
    rendered_name: str = "",
) -> Snapshot:
    ensure_can_edit(actor, unit.path)
    snap = Snapshot(
        report=report,
        unit=unit,
        params=params or {},
        figures=figures,
        rendered=rendered,
        rendered_name=rendered_name,
        author=acting_user(actor),
    )
    snap.save()
    record_change(actor=actor, obj=snap, action="create", changes={"sha256": [None, snap.sha256]})
    return snap
