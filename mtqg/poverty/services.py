"""Poverty write services (the importer's batch services live in importer.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import diff, record_change, snapshot
from mtqg.core.scoping import ensure_can_edit, path_visible
from mtqg.core.text import fold
from mtqg.core.versioning import version_claim
from mtqg.geo.models import UnitVersion

from .models import MEMBER_FIELDS, REVIEW_FIELDS, Household, Member, PersonalDataExport, PovertyClass, Review
from .privacy import mask_id, validate_id_number
from .standards import classify_with, resolve_deprivations
from .transitions import transition


@transaction.atomic
def export_log(*, actor: Any, unit: UnitVersion, reason: str, row_count: int) -> PersonalDataExport:
    """Log an export of personal data: who, which unit, why, how many rows."""
    if not path_visible(actor, unit.path):
        raise PermissionDenied(_("Bạn không có quyền xem đơn vị này."))
    entry = PersonalDataExport.objects.create(
        unit=unit, user=actor, kind=PersonalDataExport.Kind.EXPORT, reason=reason[:255], row_count=row_count
    )
    record_change(actor=actor, obj=entry, action="exported", changes={"rows": [0, row_count]}, reason=reason)
    return entry


def personal_data_read(
    *, actor: Any, kind: str, rows_by_unit: dict[int, int], target: str = "", reason: str = ""
) -> int:
    """Log a read of personal data shown in clear (household page, register search, API page): one row per unit
    (commune) with how many rows of it were shown, so that each unit's officers see the reads of their data
    (decision 0908). No ChangeRecord: a read changes nothing (and must not mark dashboards stale). Returns the
    number of log rows written."""
    rows = {unit: n for unit, n in rows_by_unit.items() if n > 0}
    if not rows or not getattr(actor, "is_authenticated", False):
        return 0
    PersonalDataExport.objects.bulk_create(
        PersonalDataExport(
            unit_id=unit, user=actor, kind=kind, target=target[:255], reason=reason.strip()[:255], row_count=n
        )
        for unit, n in rows.items()
    )
    return len(rows)


HOUSEHOLD_FIELDS = ("head_name", "address", "village_name", "ethnicity", "area")


def _apply(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError(_("Trường không sửa được: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(obj, values.keys())
    for name, value in values.items():
        setattr(obj, name, value)
    return diff(before, snapshot(obj, values.keys()))


@transaction.atomic
def household_update(
    *, actor: Any, household: Household, reason: str = "", expected_version: int | None = None, **values: Any
) -> Household:
    """Edit a household's identity fields (not its code or commune: history stays on the commune of record).
    `expected_version`: the version the edit form was opened at; a later save by someone else → StaleEdit (0909)."""
    ensure_can_edit(actor, household.commune.path)
    if "head_name" in values:
        values["head_name"] = str(values["head_name"]).strip()
        if not values["head_name"]:
            raise ValidationError({"head_name": _("Thiếu tên chủ hộ.")})
    changes = _apply(household, HOUSEHOLD_FIELDS, values)
    if changes:
        version_claim(household, expected_version, changes)
        household.head_search = fold(household.head_name)[:120]
        household.full_clean(exclude=["commune", "village"])
        household.save()
        record_change(actor=actor, obj=household, action="updated", changes=changes, reason=reason)
    return household


def _member_clean(member: Member) -> None:
    member.id_number = validate_id_number(member.id_number)
    if member.birth_date and member.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("Ngày sinh ở tương lai.")})
    if not (member.full_name or "").strip():
        raise ValidationError({"full_name": _("Thiếu họ và tên.")})
    member.full_name = member.full_name.strip()
    member.search_name = fold(member.full_name)[:120]


@transaction.atomic
def member_create(*, actor: Any, household: Household, **values: Any) -> Member:
    ensure_can_edit(actor, household.commune.path)
    member = Member(household=household)
    _apply(member, MEMBER_FIELDS, values)
    _member_clean(member)
    member.save()
    record_change(
        actor=actor,
        obj=member,
        action="created",
        changes={"full_name": [None, member.full_name], "id_number": [None, mask_id(member.id_number)]},
    )
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, **values: Any) -> Member:
    ensure_can_edit(actor, member.household.commune.path)
    changes = _apply(member, MEMBER_FIELDS, values)
    if changes:
        _member_clean(member)
        member.save()
        if "id_number" in changes:  # the audit trail keeps masked ID numbers only
            changes["id_number"] = [mask_id(str(changes["id_number"][0] or "")), mask_id(member.id_number)]
        record_change(actor=actor, obj=member, action="updated", changes=changes)
    return member


@transaction.atomic
def member_delete(*, actor: Any, member: Member, reason: str = "") -> None:
    ensure_can_edit(actor, member.household.commune.path)
    record_change(
        actor=actor,
        obj=member,
        action="deleted",
        changes={"full_name": [member.full_name, None]},
        reason=reason,
    )
    member.delete()


@transaction.atomic
def review_update(
    *, actor: Any, review: Review, reason: str = "", expected_version: int | None = None, **values: Any
) -> Review:
    """Correct a review: income, deprivations, causes, policies, approval. The class is recomputed by the engine
    (national and, when there is one, local standard). When the class changes, the transitions of this review and
    of the household's later reviews are recomputed (each change audited, decision 0203)."""
    ensure_can_edit(actor, review.commune.path)
    if "deprivations" in values:
        codes = list(values["deprivations"] or [])
        resolve_deprivations(review.standard, codes)  # ValidationError on unknown codes
        values["deprivations"] = list(dict.fromkeys(codes))
    changes = _apply(review, REVIEW_FIELDS, values)
    if not changes:
        return review
    version_claim(review, expected_version, changes)
    result = classify_with(review.standard, review.area, review.income_per_capita_month, review.deprivations)
    review.deprivation_count = result.deprivation_count
    if review.poverty_class != result.poverty_class:
        changes["poverty_class"] = [review.poverty_class, result.poverty_class]
        review.poverty_class = result.poverty_class
    if review.local_standard is not None:
        local = classify_with(
            review.local_standard, review.area, review.income_per_capita_month, review.deprivations
        ).poverty_class
        if local != review.local_class:
            changes["local_class"] = [review.local_class, local]
            review.local_class = local
    review.save()
    record_change(actor=actor, obj=review, action="updated", changes=changes, reason=reason)
    if "poverty_class" in changes:
        reviews_retransition(actor=actor, household_id=review.household_id, from_year=review.year)
        review.refresh_from_db(fields=["transition"])
    return review


def reviews_retransition(*, actor: Any, household_id: int, from_year: int) -> int:
    """Recompute the transition of every review of a household from `from_year` on against the review before
    it (same rule as the importer); returns how many changed. Runs in the caller's transaction."""
    previous: Review | None = None
    ever_poor = False
    changed = 0
    for r in Review.objects.filter(household_id=household_id).order_by("year", "pk"):
        if r.year >= from_year:
            new = transition(previous.poverty_class if previous else None, r.poverty_class, ever_poor)
            if new != r.transition:
                old, r.transition = r.transition, new
                r.save(update_fields=["transition"])
                record_change(
                    actor=actor,
                    obj=r,
                    action="updated",
                    changes={"transition": [old, new]},
                    reason=_("Tính lại biến động sau khi sửa kết quả rà soát năm %(y)s.") % {"y": from_year},
                )
                changed += 1
        ever_poor = ever_poor or r.poverty_class == PovertyClass.POOR
        previous = r
    return changed
