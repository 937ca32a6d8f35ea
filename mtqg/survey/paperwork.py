"""The paperwork around the survey (QĐ 24/2021 Điều 4, steps 3-6): village meeting, posting with complaints,
the commune decision. Each step records who and when; after a village's meeting passed, a household's result
changes only through a complaint's resolution, and the register's reviews are written only by the decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, record_change
from mtqg.core.formatting import date_vi
from mtqg.core.scoping import ensure_can_edit
from mtqg.geo.models import UnitVersion
from mtqg.poverty.models import Review
from mtqg.poverty.services import reviews_retransition
from mtqg.poverty.tally import tally_refresh

from .certificates import certificates_revoke_on_decision
from .definitions import standard_of
from .models import (
    Campaign,
    CampaignHousehold,
    CommuneDecision,
    Complaint,
    Posting,
    SurveyResponse,
    VillageMeeting,
)
from .services import _save_response, campaign_close


def meeting_passed(item: CampaignHousehold) -> bool:
    return VillageMeeting.objects.filter(
        campaign_id=item.campaign_id, village_id=item.village_id, passed=True
    ).exists()


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    campaign: Campaign,
    village: UnitVersion,
    held_on: date,
    attendees: int,
    agreed: int,
    chaired_by: str,
    minutes_note: str = "",
) -> VillageMeeting:
    """Record a village meeting; below the agreement share the village's households go back to be surveyed."""
    ensure_can_edit(actor, campaign.commune.path)
    items = CampaignHousehold.objects.filter(campaign=campaign, village=village)
    errors = []
    if not items.exists():
        errors.append(_("Thôn không có hộ trong đợt rà soát."))
    if items.exclude(status=CampaignHousehold.Status.SURVEYED).exists():
        errors.append(_("Thôn còn hộ chưa rà soát xong hoặc còn xung đột: chưa họp dân được."))
    if attendees <= 0 or not 0 <= agreed <= attendees:
        errors.append(_("Số người đồng ý phải từ 0 đến số người dự họp (lớn hơn 0)."))
    if not chaired_by.strip():
        errors.append(_("Thiếu người chủ trì cuộc họp."))
    if errors:
        raise ValidationError(errors)
    min_share = Decimal(str(campaign.form.definition.get("meeting", {}).get("min_share", 0.5)))
    passed = Decimal(agreed) / Decimal(attendees) >= min_share
    meeting = VillageMeeting.objects.create(
        campaign=campaign,
        village=village,
        held_on=held_on,
        attendees=attendees,
        agreed=agreed,
        min_share=min_share,
        passed=passed,
        chaired_by=chaired_by.strip(),
        minutes_note=minutes_note,
        recorded_by=acting_user(actor),
    )
    if not passed:
        items.update(status=CampaignHousehold.Status.PENDING)
    record_change(
        actor=actor,
        obj=meeting,
        action="meeting",
        changes={"agreed": [None, f"{agreed}/{attendees}"], "passed": [None, passed]},
    )
    return meeting


@transaction.atomic
def posting_record(*, actor: Any, campaign: Campaign, starts_on: date, ends_on: date, place: str) -> Posting:
    ensure_can_edit(actor, campaign.commune.path)
    if ends_on < starts_on:
        raise ValidationError(_("Ngày kết thúc niêm yết phải sau ngày bắt đầu."))
    if not place.strip():
        raise ValidationError(_("Thiếu nơi niêm yết."))
    if Posting.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("Đợt rà soát đã có niêm yết."))
    posting = Posting.objects.create(
        campaign=campaign,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place.strip(),
        recorded_by=acting_user(actor),
    )
    record_change(
        actor=actor, obj=posting, action="posted", changes={"period": [None, f"{starts_on} - {ends_on}"]}
    )
    return posting


@transaction.atomic
def complaint_record(
    *, actor: Any, item: CampaignHousehold, received_on: date, complainant: str, content: str
) -> Complaint:
    ensure_can_edit(actor, item.campaign.commune.path)
    posting = Posting.objects.filter(campaign_id=item.campaign_id).first()
    if posting is None:
        raise ValidationError(_("Chưa niêm yết kết quả: chưa nhận khiếu nại."))
    if not content.strip() or not complainant.strip():
        raise ValidationError(_("Thiếu người khiếu nại hoặc nội dung khiếu nại."))
    complaint = Complaint.objects.create(
        item=item,
        received_on=received_on,
        complainant=complainant.strip(),
        content=content.strip(),
        recorded_by=acting_user(actor),
    )
    record_change(
        actor=actor, obj=complaint, action="created", changes={"content": [None, complaint.content]}
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *,
    actor: Any,
    complaint: Complaint,
    resolution: str,
    answers: dict[str, Any] | None = None,
    notes: dict[str, str] | None = None,
) -> Complaint:
    """Resolve a complaint; with `answers` the household is re-surveyed (phúc tra) and its result changes."""
    item = CampaignHousehold.objects.select_related("campaign__form", "campaign__commune", "household").get(
        pk=complaint.item_id
    )
    ensure_can_edit(actor, item.campaign.commune.path)
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError(_("Khiếu nại đã được giải quyết."))
    if not resolution.strip():
        raise ValidationError(_("Thiếu kết quả giải quyết khiếu nại."))
    before = SurveyResponse.objects.filter(item=item).values_list("poverty_class", flat=True).first()
    after = before
    if answers is not None:
        after = _save_response(
            actor=actor, item=item, answers=answers, device=None, entered_at=None, notes=notes
        ).poverty_class
    complaint.status, complaint.resolution = Complaint.Status.RESOLVED, resolution.strip()
    complaint.resolved_by, complaint.resolved_at = acting_user(actor), timezone.now()
    complaint.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    record_change(
        actor=actor,
        obj=complaint,
        action="resolved",
        changes={"poverty_class": [before, after]},
        reason=resolution,
    )
    return complaint


@transaction.atomic
def decision_record(
    *, actor: Any, campaign: Campaign, number: str, signed_on: date, signer: str
) -> CommuneDecision:
    """The recognition decision: refused until every household is surveyed, every village's meeting passed,
    the posting ended and every complaint is resolved; then writes the year's reviews (with transitions)."""
    campaign = Campaign.objects.select_for_update().select_related("commune", "form").get(pk=campaign.pk)
    ensure_can_edit(actor, campaign.commune.path)
    errors = []
    if not number.strip() or not signer.strip():
        errors.append(_("Thiếu số quyết định hoặc người ký."))
    if CommuneDecision.objects.filter(campaign=campaign).exists():
        errors.append(_("Đợt rà soát đã có quyết định công nhận."))
    items = CampaignHousehold.objects.filter(campaign=campaign)
    pending = items.exclude(status=CampaignHousehold.Status.SURVEYED).count()
    if pending:
        errors.append(_("Còn %(n)s hộ chưa rà soát xong hoặc còn xung đột.") % {"n": pending})
    passed = set(
        VillageMeeting.objects.filter(campaign=campaign, passed=True).values_list("village_id", flat=True)
    )
    unmet = items.exclude(village_id__in=passed).values("village_id").distinct().count()
    if unmet:
        errors.append(_("Còn %(n)s thôn chưa họp dân thông qua kết quả.") % {"n": unmet})
    posting = Posting.objects.filter(campaign=campaign).first()
    if posting is None or posting.ends_on >= signed_on:
        errors.append(_("Chưa niêm yết hoặc chưa hết thời gian niêm yết trước ngày ký."))
    if Complaint.objects.filter(item__campaign=campaign, status=Complaint.Status.OPEN).exists():
        errors.append(_("Còn khiếu nại chưa giải quyết."))
    if errors:
        raise ValidationError(errors)
    standard = standard_of(campaign.form)
    label = f"{number.strip()} ({date_vi(signed_on)})"
    reviews = []
    responses = SurveyResponse.objects.filter(item__campaign=campaign).select_related("item__household")
    for r in responses:
        lines = standard.lines[r.area]
        band_income = {"le_line": lines["line"], "average": lines["line"] + 1}.get(
            _band(r), (lines.get("average_upper") or lines["line"]) + 1
        )
        reviews.append(
            Review(
                household=r.item.household,
                commune=campaign.commune,
                year=campaign.year,
                area=r.area,
                income_per_capita_month=band_income,
                deprivations=r.deprivations,
                deprivation_count=len(r.deprivations),
                standard=standard,
                poverty_class=r.poverty_class,
                ethnicity=r.item.household.ethnicity,
                approval_decision=label[:120],
                approved_on=signed_on,
            )
        )
    Review.objects.bulk_create(reviews, batch_size=500)
    for review in reviews:
        reviews_retransition(actor=actor, household_id=review.household_id, from_year=campaign.year)
    tally_refresh(communes=[campaign.commune_id], years=[campaign.year])
    decision = CommuneDecision.objects.create(
        campaign=campaign,
        number=number.strip(),
        signed_on=signed_on,
        signer=signer.strip(),
        reviews=len(reviews),
        recorded_by=acting_user(actor),
    )
    revoked = certificates_revoke_on_decision(actor=actor, decision=decision)
    campaign_close(actor=actor, campaign=campaign, on=signed_on)
    record_change(
        actor=actor,
        obj=decision,
        action="decided",
        changes={"reviews": [0, len(reviews)], "certificates_revoked": [0, revoked]},
    )
    return decision


def _band(response: SurveyResponse) -> str:
    return "above" if response.excluded_by_a else response.band or "above"
