"""Writes of the finance app. Every function: atomic, scope-checked (unless actor is None = system job), audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import ensure_can_edit
from mtqg.core.audit import record_change, snapshot
from mtqg.core.formatting import date_vi, number_vi
from mtqg.geo.models import UnitVersion

from .models import (
    AlertNote,
    Allocation,
    CapitalPlan,
    Disbursement,
    DisbursementDeadline,
    Indicator,
    IndicatorValue,
    Program,
    Work,
)


def _check(actor: Any, path: str) -> None:
    if actor is not None:
        ensure_can_edit(actor, path)


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
    plan = CapitalPlan.objects.create(
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
    record_change(actor=actor, obj=plan, action="created", changes={"amount": [None, value]})
    return plan


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
def work_set_status(*, actor: Any, work: Work, status: str, actual_end: date | None = None) -> Work:
    _check(actor, work.commune.path)
    before = snapshot(work, ["status", "actual_end"])
    work.status = status
    if actual_end:
        work.actual_end = actual_end
    work.save(update_fields=["status", "actual_end"])
    record_change(
        actor=actor, obj=work, action="status", changes={k: [before[k], getattr(work, k)] for k in before}
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
    alloc = Allocation.objects.create(
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
    record_change(actor=actor, obj=alloc, action="created", changes={"amount": [None, value]})
    return alloc


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
    *, actor: Any, allocation: Allocation, paid_on: date, amount: Any, reference: str = ""
) -> Disbursement:
    """Record a payment. The allocation row is locked (SELECT … FOR UPDATE) so two concurrent payments are
    serialised and the 'beyond allocation' check always sees the other one."""
    locked = Allocation.objects.select_for_update().select_related("unit").get(pk=allocation.pk)
    _check(actor, locked.unit.path)
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
    row = Disbursement.objects.create(allocation=locked, paid_on=paid_on, amount=value, reference=reference)
    record_change(actor=actor, obj=row, action="created", changes={"amount": [None, value]})
    return row


@transaction.atomic
def indicator_value_record(
    *, actor: Any, indicator: Indicator, unit: UnitVersion, year: int, value: Any, note: str = ""
) -> IndicatorValue:
    _check(actor, unit.path)
    if indicator.origin != Indicator.Origin.ENTRY:
        raise ValidationError({"indicator": _("Chỉ tiêu này được tính từ sổ công trình, không nhập tay.")})
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({"value": _("Giá trị không hợp lệ.")}) from exc
    if number < 0:
        raise ValidationError({"value": _("Giá trị không được âm.")})
    row = IndicatorValue.objects.create(indicator=indicator, unit=unit, year=year, value=number, note=note)
    record_change(actor=actor, obj=row, action="created", changes={"value": [None, number]})
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
