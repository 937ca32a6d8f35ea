"""Household certificates (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03; QĐ 24/2021 step 7) as a register:
issued after the commune decision for every recognised poor or near-poor household, numbered per commune and year
("…/GCN-HN.HCN" [P39]), revoked when a later decision takes the household out of the certified class. Each write
is a named service with its change record in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.formatting import date_vi
from mtqg.core.scoping import ensure_can_edit

from .models import Campaign, Certificate, CommuneDecision, SurveyResponse

POORISH = ("poor", "near_poor")
CLASS_NAMES = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}
NUMBER_SUFFIX = "GCN-HN.HCN"  # Mẫu số 03: "Số: …/GCN-HN.HCN" [P39]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _next_numbers(commune_id: int, year: int, n: int) -> list[str]:
    used = Certificate.objects.filter(commune_id=commune_id, year=year).count()
    return [f"{used + i:03d}/{NUMBER_SUFFIX}" for i in range(1, n + 1)]


@transaction.atomic
def certificates_issue(
    *, actor: Any, campaign: Campaign, issued_on: date, household_ids: list[int] | None = None
) -> list[Certificate]:
    """Issue the certificates of a decided campaign: every household recognised poor or near-poor (or only
    `household_ids`) that has no valid certificate for the year yet. Refused before the decision."""
    campaign = Campaign.objects.select_for_update().select_related("commune").get(pk=campaign.pk)
    ensure_can_edit(actor, campaign.commune.path)
    decision = CommuneDecision.objects.filter(campaign=campaign).first()
    if decision is None:
        raise ValidationError(_("Chỉ cấp giấy chứng nhận sau quyết định công nhận của đợt rà soát."))
    if issued_on < decision.signed_on:
        raise ValidationError(
            _("Ngày cấp giấy chứng nhận không được trước ngày ký quyết định (%(d)s).")
            % {"d": date_vi(decision.signed_on)}
        )
    responses = SurveyResponse.objects.filter(item__campaign=campaign, poverty_class__in=POORISH)
    if household_ids is not None:
        responses = responses.filter(item__household_id__in=household_ids)
        if responses.count() != len(set(household_ids)):
            raise ValidationError(
                _("Có hộ không được công nhận hộ nghèo, hộ cận nghèo trong quyết định này.")
            )
    done = set(
        Certificate.objects.filter(
            year=campaign.year,
            status=Certificate.Status.VALID,
            household__in=responses.values("item__household"),
        ).values_list("household_id", flat=True)
    )
    todo = [
        (hid, cls)
        for hid, cls in responses.order_by("item__household__code").values_list(
            "item__household_id", "poverty_class"
        )
        if hid not in done
    ]
    numbers = _next_numbers(campaign.commune_id, campaign.year, len(todo))
    label = _("Quyết định số %(n)s ngày %(d)s") % {"n": decision.number, "d": date_vi(decision.signed_on)}
    created = Certificate.objects.bulk_create(
        [
            Certificate(
                household_id=hid,
                campaign=campaign,
                commune=campaign.commune,
                number=number,
                issued_on=issued_on,
                issuer=_("UBND %(c)s") % {"c": campaign.commune.name},
                signer=decision.signer,
                decision=label[:160],
                poverty_class=cls,
                year=campaign.year,
                issued_by=_user(actor),
            )
            for (hid, cls), number in zip(todo, numbers, strict=True)
        ]
    )
    for cert in created:
        record_change(
            actor=actor,
            obj=cert,
            action="issued",
            changes={"number": [None, cert.number], "poverty_class": [None, cert.poverty_class]},
        )
    return created


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, on: date, reason: str) -> Certificate:
    """Revoke one certificate (who, when, why)."""
    certificate = Certificate.objects.select_for_update().select_related("commune").get(pk=certificate.pk)
    ensure_can_edit(actor, certificate.commune.path)
    if certificate.status != Certificate.Status.VALID:
        raise ValidationError(_("Giấy chứng nhận đã được thu hồi."))
    if not reason.strip():
        raise ValidationError(_("Thiếu lý do thu hồi giấy chứng nhận."))
    if on < certificate.issued_on:
        raise ValidationError(_("Ngày thu hồi không được trước ngày cấp."))
    _revoke(actor, certificate, on, reason.strip())
    return certificate


def _revoke(actor: Any, certificate: Certificate, on: date, reason: str) -> None:
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_on, certificate.revoked_reason, certificate.revoked_by = on, reason, _user(actor)
    certificate.save(update_fields=["status", "revoked_on", "revoked_reason", "revoked_by"])
    record_change(
        actor=actor,
        obj=certificate,
        action="revoked",
        changes={"status": [Certificate.Status.VALID, Certificate.Status.REVOKED]},
        reason=reason,
    )


def certificates_revoke_on_decision(*, actor: Any, decision: CommuneDecision) -> int:
    """Inside the decision's transaction: a household whose new class is not the class of its valid earlier
    certificate (it escaped, or moved between poor and near-poor) has that certificate revoked on the signing
    date, with the decision as the reason."""
    campaign = decision.campaign
    new_class = dict(
        SurveyResponse.objects.filter(item__campaign=campaign).values_list(
            "item__household_id", "poverty_class"
        )
    )
    revoked = 0
    earlier = Certificate.objects.filter(
        household_id__in=list(new_class), status=Certificate.Status.VALID, year__lt=campaign.year
    )
    for cert in earlier:
        cls = new_class[cert.household_id]
        if cls == cert.poverty_class:
            continue
        what = (
            _("Thoát %(c)s") % {"c": CLASS_NAMES[cert.poverty_class]}
            if cls not in POORISH
            else _("Chuyển sang %(c)s") % {"c": CLASS_NAMES[cls]}
        )
        reason = _("%(w)s theo Quyết định số %(n)s ngày %(d)s") % {
            "w": what,
            "n": decision.number,
            "d": date_vi(decision.signed_on),
        }
        _revoke(actor, cert, max(decision.signed_on, cert.issued_on), reason)
        revoked += 1
    return revoked


def certificates_for(user: Any, *, commune: Any = None, year: int | None = None) -> QuerySet[Certificate]:
    """Certificates visible to the user (the one scoping mechanism), optionally of a commune and year."""
    qs = Certificate.objects.visible_to(user).select_related(
        "household", "commune", "revoked_by", "issued_by"
    )
    if commune is not None:
        qs = qs.filter(commune=commune)
    if year is not None:
        qs = qs.filter(year=year)
    return qs
