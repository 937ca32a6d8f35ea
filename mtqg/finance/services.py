"""Writes of the finance app. Every function: atomic, scope-checked (unless actor is None = system job), audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change, snapshot
from mtqg.core.formatting import date_vi, number_vi
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.uploads import SAFE_TYPES, image_kind
from mtqg.core.versioning import versioned_save
from mtqg.geo.models import UnitVersion
from mtqg.supervision.services import recommendation_create

from .loader import DISAGGREGATION_RULE
from .models import (
    AlertNote,
    Allocation,
    CapitalPlan,
    Disbursement,
    DisbursementDeadline,
    FinanceRule,
    Indicator,
    IndicatorValue,
    Program,
    Work,
    WorkPhoto,
    WorkProgress,
)

PHOTO_MAX_BYTES = 5 * 1024 * 1024

_Money = TypeVar("_Money", CapitalPlan, Allocation, Disbursement)


def _check(actor: Any, path: str) -> None:
    ensure_can_edit(actor, path)


def _money_row_create(actor: Any, model: type[_Money], **fields: Any) -> _Money:
    """Insert a plan line, allocation or payment; its change record names the amount."""
    row = model.objects.create(**fields)
    record_change(actor=actor, obj=row, action="created", changes={"amount": [None, fields["amount"]]})
    return row


def _money(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Số tiền không hợp lệ.")}) from exc
    if amount != amount.to_integral_value():
        raise ValidationError({field: _("Số tiền phải là số nguyên đồng.")})
    if amount < 0 and not allow_negative:
        raise ValidationError({field: _("Số tiền không được âm.")})
    return amount


def disbursement_window(year: int, carry_over: bool) -> tuple[date, date | None]:
    """First and last day capital of plan year `year` may be disbursed (latest deadline incl. extensions)."""
    applies = DisbursementDeadline.Applies.CARRY_OVER if carry_over else DisbursementDeadline.Applies.CURRENT
    last = DisbursementDeadline.objects.filter(plan_year=year, applies_to=applies).aggregate(
        d=Max("deadline")
    )["d"]
    return date(year, 1, 1), last


@transaction.atomic
def plan_line_add(
    *,
    actor: Any,
    unit: UnitVersion,
    program: Program,
    year: int,
    source: str,
    vintage: str,
    amount: Any,
    from_year: int | None = None,
    decision_ref: str = "",
    decided_on: date | None = None,
    legal_basis: str = "",
) -> CapitalPlan:
    """Add one plan line. Adjustments may be negative; carry-over needs from_year = year - 1 and a legal basis."""
    _check(actor, unit.path)
    value = _money(amount, "amount", allow_negative=vintage == CapitalPlan.Vintage.ADJUSTED)
    if vintage == CapitalPlan.Vintage.CARRY_OVER:
        if from_year != year - 1:
            raise ValidationError(
                {"from_year": _("Vốn chuyển nguồn phải từ năm liền trước (năm %(y)d).") % {"y": year - 1}}
            )
        if not legal_basis.strip():
            raise ValidationError({"legal_basis": _("Vốn chuyển nguồn cần ghi căn cứ pháp lý.")})
    return _money_row_create(
        actor,
        CapitalPlan,
        unit=unit,
        program=program,
        year=year,
        source=source,
        vintage=vintage,
        amount=value,
        from_year=from_year,
        decision_ref=decision_ref,
        decided_on=decided_on,
        legal_basis=legal_basis,
    )


@transaction.atomic
def work_create(*, actor: Any, commune: UnitVersion, **fields: Any) -> Work:
    _check(actor, commune.path)
    fields["total_investment"] = _money(fields.get("total_investment", 0), "total_investment")
    if Work.objects.filter(code=fields.get("code", "")).exists():
        raise ValidationError({"code": _("Mã công trình đã tồn tại.")})
    work = Work(commune=commune, **fields)
    work.full_clean()
    work.save()
    record_change(actor=actor, obj=work, action="created", changes={"code": [None, work.code]})
    return work


@transaction.atomic
def work_set_status(
    *,
    actor: Any,
    work: Work,
    status: str,
    actual_end: date | None = None,
    expected_version: int | None = None,
) -> Work:
    """Change a work's status; refused (StaleEdit) if the work was changed after the caller read it at
    `expected_version` (0909)."""
    _check(actor, work.commune.path)
    work = Work.objects.select_for_update().select_related("commune").get(pk=work.pk)
    before = snapshot(work, ["status", "actual_end"])
    work.status = status
    if actual_end:
        work.actual_end = actual_end
    changes = {k: [before[k], v] for k, v in snapshot(work, ["status", "actual_end"]).items()}
    versioned_save(
        work,
        actor=actor,
        expected=expected_version,
        changes=changes,
        action="status",
        update_fields=["status", "actual_end"],
    )
    return work


@transaction.atomic
def allocation_create(
    *,
    actor: Any,
    unit: UnitVersion,
    program: Program,
    year: int,
    source: str,
    amount: Any,
    investor_level: str,
    work: Work | None = None,
    carry_over: bool = False,
    decision_ref: str = "",
) -> Allocation:
    _check(actor, unit.path)
    value = _money(amount, "amount")
    return _money_row_create(
        actor,
        Allocation,
        unit=unit,
        work=work,
        program=program,
        year=year,
        source=source,
        carry_over=carry_over,
        investor_level=investor_level,
        amount=value,
        decision_ref=decision_ref,
    )


def resolve_allocation(
    *, work_code: str, year: int, source: str, carry_over: bool = False, user: Any = None
) -> Allocation:
    """The allocation of a work for a plan year and source; Vietnamese error for an unknown work code (a work
    outside the user's scope counts as unknown)."""
    works = Work.objects.all() if user is None else Work.objects.visible_to(user)
    work = works.filter(code=work_code.strip()).first()
    if work is None:
        raise ValidationError({"work_code": _("Không có công trình mã %(code)s.") % {"code": work_code}})
    alloc = Allocation.objects.filter(work=work, year=year, source=source, carry_over=carry_over).first()
    if alloc is None:
        raise ValidationError(
            {
                "work_code": _("Công trình %(code)s chưa được phân bổ vốn năm %(year)d từ nguồn này.")
                % {"code": work_code, "year": year}
            }
        )
    return alloc


@transaction.atomic
def disbursement_record(
    *,
    actor: Any,
    allocation: Allocation,
    paid_on: date,
    amount: Any,
    reference: str = "",
    seen_total: Decimal | None = None,
) -> Disbursement:
    """Record a payment. The allocation row is locked (SELECT … FOR UPDATE) so two concurrent payments are
    serialised and the 'beyond allocation' check always sees the other one.

    `seen_total` (optional, the entry form sends it) is the amount already disbursed when the officer opened the
    form; if another payment was recorded meanwhile the payment is refused as a conflict (optimistic check), so
    the officer sees the other payment before confirming (decision 0303)."""
    locked = Allocation.objects.select_for_update().select_related("unit").get(pk=allocation.pk)
    _check(actor, locked.unit.path)
    if seen_total is not None:
        current = Disbursement.objects.filter(allocation=locked).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if current != seen_total:
            raise ValidationError(
                {
                    "__all__": _(
                        "Xung đột: trong lúc bạn nhập, đã có khoản giải ngân khác được ghi cho phân bổ này "
                        "(đã giải ngân nay là %(now)s đồng, lúc bạn mở biểu mẫu là %(seen)s đồng). "
                        "Kiểm tra lại rồi gửi lại."
                    )
                    % {"now": number_vi(current), "seen": number_vi(seen_total)}
                },
                code="conflict",
            )
    value = _money(amount, "amount")
    if value <= 0:
        raise ValidationError({"amount": _("Số tiền giải ngân phải lớn hơn 0.")})
    start, end = disbursement_window(locked.year, locked.carry_over)
    if end is None:
        raise ValidationError(
            {"paid_on": _("Chưa có thời hạn giải ngân cho kế hoạch năm %(y)d.") % {"y": locked.year}}
        )
    if not start <= paid_on <= end:
        raise ValidationError(
            {
                "paid_on": _(
                    "Ngày giải ngân %(d)s nằm ngoài thời hạn của kế hoạch năm %(y)d (%(s)s – %(e)s)."
                )
                % {"d": date_vi(paid_on), "y": locked.year, "s": date_vi(start), "e": date_vi(end)}
            }
        )
    already = Disbursement.objects.filter(allocation=locked).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if already + value > locked.amount:
        raise ValidationError(
            {
                "amount": _(
                    "Vượt vốn được phân bổ: đã giải ngân %(a)s đồng, phân bổ %(b)s đồng, còn lại %(c)s đồng."
                )
                % {
                    "a": number_vi(already),
                    "b": number_vi(locked.amount),
                    "c": number_vi(locked.amount - already),
                }
            }
        )
    return _money_row_create(
        actor, Disbursement, allocation=locked, paid_on=paid_on, amount=value, reference=reference
    )


def disaggregation_dimensions() -> dict[str, Any]:
    """Dimension code → {label, values: {code: label}} (data/indicators.json, loaded as a FinanceRule)."""
    rule = FinanceRule.objects.filter(code=DISAGGREGATION_RULE).first()
    return dict(rule.params) if rule else {}


def clean_disaggregation(indicator: Indicator, disaggregation: dict[str, Any] | None) -> dict[str, str]:
    """Keep only non-empty keys; each key must be one of the indicator's dimensions and each value one of the
    dimension's codes (data)."""
    dims = disaggregation_dimensions()
    cleaned: dict[str, str] = {}
    for key, raw in (disaggregation or {}).items():
        code = str(raw or "").strip()
        if not code:
            continue
        if key not in indicator.disaggregations or key not in dims:
            raise ValidationError(
                {"disaggregation": _("Chỉ tiêu này không phân tổ theo “%(k)s”.") % {"k": key}}
            )
        if code not in dims[key]["values"]:
            raise ValidationError(
                {
                    "disaggregation": _("Giá trị “%(v)s” không có trong danh mục %(d)s.")
                    % {"v": code, "d": dims[key]["label"]}
                }
            )
        cleaned[key] = code
    return cleaned


@transaction.atomic
def indicator_value_record(
    *,
    actor: Any,
    indicator: Indicator,
    unit: UnitVersion,
    year: int,
    value: Any,
    note: str = "",
    disaggregation: dict[str, Any] | None = None,
) -> IndicatorValue:
    """Enter an actual value; `disaggregation` ({"ethnicity": "tay", "sex_of_head": "female"}) is checked
    against the indicator's dimensions and the dimension values in data."""
    _check(actor, unit.path)
    if indicator.origin != Indicator.Origin.ENTRY:
        raise ValidationError({"indicator": _("Chỉ tiêu này được tính từ sổ công trình, không nhập tay.")})
    cleaned = clean_disaggregation(indicator, disaggregation)
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({"value": _("Giá trị không hợp lệ.")}) from exc
    if number < 0:
        raise ValidationError({"value": _("Giá trị không được âm.")})
    row = IndicatorValue.objects.create(
        indicator=indicator, unit=unit, year=year, value=number, note=note, disaggregation=cleaned
    )
    record_change(
        actor=actor,
        obj=row,
        action="created",
        changes={"value": [None, number], "disaggregation": [None, cleaned]},
    )
    return row


@transaction.atomic
def alert_note_set(
    *, actor: Any, unit: UnitVersion, key: str, year: int, cause: str, proposed_adjustment: str = ""
) -> AlertNote:
    """Attach (or update) the cause and proposed adjustment of an alert."""
    _check(actor, unit.path)
    note, created = AlertNote.objects.get_or_create(unit=unit, key=key, year=year)
    before = snapshot(note, ["cause", "proposed_adjustment"])
    note.cause, note.proposed_adjustment = cause, proposed_adjustment
    note.save()
    record_change(
        actor=actor,
        obj=note,
        action="created" if created else "updated",
        changes={k: [before[k], getattr(note, k)] for k in before},
    )
    return note


@transaction.atomic
def work_progress_record(
    *,
    actor: Any,
    work: Work,
    reported_on: date | None,
    percent: Any,
    note: str = "",
    today: date | None = None,
) -> WorkProgress:
    """A progress report: 0-100 %, not in the future, not below an earlier report's percent (volume done is
    cumulative), not before the work's year."""
    _check(actor, work.commune.path)
    errors: dict[str, str] = {}
    try:
        pct = int(str(percent).strip())
        if str(pct) != str(percent).strip():
            raise ValueError
    except (ValueError, TypeError):
        pct = -1
    if not 0 <= pct <= 100:
        errors["percent"] = _("Khối lượng hoàn thành phải là số nguyên từ 0 đến 100.")
    today = today or date.today()
    if reported_on is None:
        errors["reported_on"] = _("Thiếu ngày báo cáo.")
    elif reported_on > today:
        errors["reported_on"] = _("Ngày báo cáo không được sau hôm nay.")
    elif reported_on.year < work.year - 1:
        errors["reported_on"] = _("Ngày báo cáo trước năm kế hoạch của công trình.")
    if errors:
        raise ValidationError(errors)
    assert reported_on is not None
    earlier = (
        WorkProgress.objects.filter(work=work, reported_on__lte=reported_on).order_by("-reported_on").first()
    )
    if earlier is not None and earlier.percent > pct:
        raise ValidationError(
            {
                "percent": _("Khối lượng hoàn thành không được thấp hơn báo cáo ngày %(d)s (%(p)s%%).")
                % {"d": date_vi(earlier.reported_on), "p": earlier.percent}
            }
        )
    row = WorkProgress.objects.create(
        work=work, reported_on=reported_on, percent=pct, note=note.strip()[:300]
    )
    record_change(
        actor=actor,
        obj=work,
        action="progress",
        changes={"progress": [earlier.percent if earlier else None, pct], "reported_on": [None, reported_on]},
    )
    return row


def sniff_photo(upload: Any) -> str:
    """The content type of a JPEG/PNG upload as Pillow reads it (the name and the browser's type are not
    trusted); ValidationError otherwise or when larger than PHOTO_MAX_BYTES."""
    if upload is None:
        raise ValidationError({"image": _("Chưa chọn ảnh.")})
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            {"image": _("Ảnh không được lớn hơn %(mb)s MB.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}}
        )
    kind = image_kind(upload, ("jpg", "png"))
    if kind is None:
        raise ValidationError({"image": _("Ảnh phải là tệp JPEG hoặc PNG.")})
    return SAFE_TYPES[kind]


@transaction.atomic
def work_photo_add(
    *, actor: Any, work: Work, upload: Any, caption: str = "", taken_on: date | None = None
) -> WorkPhoto:
    _check(actor, work.commune.path)
    content_type = sniff_photo(upload)
    ext = "png" if content_type == "image/png" else "jpg"
    upload.name = f"{work.code}.{ext}"
    photo = WorkPhoto(
        work=work,
        image=upload,
        content_type=content_type,
        size=upload.size or 0,
        caption=caption.strip()[:300],
        taken_on=taken_on,
    )
    photo.save()
    record_change(actor=actor, obj=work, action="photo", changes={"photo": [None, photo.caption or ext]})
    return photo


ALERT_THEMES = {
    "slow": "giai-ngan-cham",
    "below_avg": "giai-ngan-cham",
    "scattered": "dau-tu-dan-trai",
    "behind_schedule": "ket-qua",
}


def alert_theme(key: str) -> str:
    """Supervision theme for an alert key (slow:…, below_avg:…, scattered, behind_schedule)."""
    return ALERT_THEMES.get(key.split(":")[0], "ket-qua")


@transaction.atomic
def alert_to_recommendation(
    *,
    actor: Any,
    unit: UnitVersion,
    key: str,
    year: int,
    mission: Any,
    title: str,
    evidence: str,
    from_party: str,
    to_party: str,
    deadline: date | None = None,
) -> Any:
    """Turn an alert (with its cause and proposed adjustment) into a supervision recommendation through the
    supervision app's own service; the alert note keeps the link so it is done once."""

    _check(actor, unit.path)
    note = AlertNote.objects.select_for_update().filter(unit=unit, key=key, year=year).first()
    if note is not None and note.recommendation_id:
        raise ValidationError({"__all__": _("Cảnh báo này đã được chuyển thành kiến nghị.")})
    if note is None or not note.proposed_adjustment.strip():
        raise ValidationError(
            {"__all__": _("Cần ghi nguyên nhân và đề xuất điều chỉnh trước khi chuyển thành kiến nghị.")}
        )
    parts = [f"{title}: {evidence}"]
    if note.cause:
        parts.append(_("Nguyên nhân: %(c)s") % {"c": note.cause})
    parts.append(_("Đề xuất: %(a)s") % {"a": note.proposed_adjustment})
    rec = recommendation_create(
        actor=actor,
        mission=mission,
        from_party=from_party,
        to_party=to_party,
        theme=alert_theme(key),
        content="\n".join(parts),
        deadline=deadline,
        responsible_unit=unit if unit.path.startswith(mission.unit.path) else None,
        responsible_name=unit.name,
    )
    note.recommendation = rec
    note.save(update_fields=["recommendation"])
    record_change(actor=actor, obj=note, action="recommendation", changes={"recommendation": [None, rec.pk]})
    return rec
