"""Demo: Mường Phăng (Điện Biên) 2025 review campaign in progress, with an enumerator login.

Five illustrative villages (names not verified) share the commune's list (households poor or near-poor in their
last review, from the poverty demo's 2020 review); the enumerator `dieutravien` holds the first two. The first
village is fully surveyed, the second half-way, the others not started; one form synced from a device met an
office edit and waits as a conflict. Deterministic and idempotent; a few seconds.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import transaction

from mtqg.accounts.demo import DEMO_PASSWORD
from mtqg.accounts.models import User
from mtqg.core.text import fold
from mtqg.geo.demo import village as demo_village
from mtqg.geo.models import UnitVersion
from mtqg.poverty.models import Household, Member, Review
from mtqg.poverty.standards import classify, load_standards, standard_for
from mtqg.workflow.calendar import load_calendars

from .definitions import load_forms, questions, standard_of
from .models import Campaign, CampaignHousehold, Device
from .paperwork import complaint_record, meeting_record, posting_record
from .services import (
    _save_response,
    campaign_create,
    campaign_household_set_village,
    campaign_village_assign,
    derived_for,
)
from .sync import sync_batch

COMMUNE = ("2025", 3, "03325")  # Mường Phăng
VILLAGES = ["Bản Khá", "Bản Co Thón", "Bản Ten", "Bản Cang", "Bản Pá Pốm"]
ENUMERATOR = "dieutravien"
YEAR = 2025
MAX_LIST = 600  # keeps the demo quick


def _villages(commune: UnitVersion) -> list[UnitVersion]:
    return [
        demo_village(commune, f"{commune.code}-{n:02d}", name) for n, name in enumerate(VILLAGES, start=1)
    ]


def _enumerator() -> User:
    user, created = User.objects.get_or_create(
        username=ENUMERATOR, defaults={"full_name": "Lò Văn Điều (điều tra viên bản Khá, Co Thón)"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def answers_for(qs: dict[str, list[dict[str, Any]]], previous: str, n: int) -> dict[str, Any]:
    """Plausible answers for a household of last year's class (deterministic on n)."""
    poorish = previous in ("poor", "near_poor")
    answers: dict[str, Any] = {q["id"]: False for q in qs["a"]}
    picks = {"b1_members": "5-6", "b1_workers": "1", "b1_house": "thieu_kien_co", "b1_floor": "8-15"}
    picks |= {"b1_land": "<0.5", "b1_cattle": "0" if n % 3 else "1-2"}
    if not poorish or n % 5 == 0:  # some escape poverty
        picks |= {"b1_workers": "2+", "b1_house": "ban_kien_co", "b1_cattle": "3+"}
    answers |= picks
    answers["b1_assets"] = ["tivi", "xe_may"] if n % 2 else ["tivi"]
    deprived = 3 + n % 2 if previous == "poor" else 1 + n % 2
    for i, q in enumerate(qs["b2"]):
        answers[q["id"]] = (i + n) % len(qs["b2"]) < deprived
    return answers


def _small_register(commune: UnitVersion, villages: list[UnitVersion]) -> None:
    """A handful of households with a 2024 review when the register holds none here (browser tests)."""
    load_standards()
    std = standard_for(YEAR - 1)
    for v, village in enumerate(villages[:2]):
        for i in range(3):
            head = f"Lò Văn Thử {v + 1}{i + 1}"
            hh = Household.objects.create(
                code=f"DEMO-MP-{v + 1}-{i + 1}",
                commune=commune,
                village=village,
                head_name=head,
                head_search=fold(head),
                ethnicity="Thái",
            )
            if (
                v == 0
            ):  # Bản Khá: members in the register, so B2 health insurance is derived (head without BHYT)
                for name, born, insured in (
                    (head, date(1975, 3, 1), False),
                    (f"Quàng Thị {i + 1}", date(1978, 6, 1), True),
                ):
                    Member.objects.create(
                        household=hh,
                        full_name=name,
                        search_name=fold(name),
                        birth_date=born,
                        relation="Chủ hộ" if name == head else "Vợ",
                        health_insurance=insured,
                    )
            result = classify(year=YEAR - 1, area="rural", income=1_200_000, deprivations=3 - i % 2)
            Review.objects.create(
                household=hh,
                commune=commune,
                year=YEAR - 1,
                income_per_capita_month=1_200_000,
                deprivation_count=3 - i % 2,
                standard=std,
                poverty_class=result.poverty_class,
                ethnicity="Thái",
            )


@transaction.atomic
def seed(*, small: bool = False) -> int:
    """The Mường Phăng 2025 campaign; `small`: only the list, villages and enumerator (browser tests)."""
    load_forms()
    load_calendars([YEAR])
    structure, level, code = COMMUNE
    commune = UnitVersion.objects.get(structure=structure, level=level, code=code)
    if Campaign.objects.filter(commune=commune, year=YEAR).exists():
        return 0
    villages = _villages(commune)
    if small:
        _small_register(commune, villages)
    campaign = campaign_create(actor=None, commune=commune, year=YEAR)
    items = list(CampaignHousehold.objects.filter(campaign=campaign).order_by("household__code"))
    if len(items) > MAX_LIST:  # the demo keeps a sample of the list
        CampaignHousehold.objects.filter(pk__in=[i.pk for i in items[MAX_LIST:]]).delete()
        items = items[:MAX_LIST]
    if not small:
        for n, village in enumerate(villages):
            campaign_household_set_village(
                actor=None, campaign=campaign, items=items[n :: len(villages)], village=village
            )
    enumerator = _enumerator()
    for village in villages[:2]:
        campaign_village_assign(actor=None, campaign=campaign, village=village, enumerator=enumerator)
    if small:
        return len(items)
    qs = questions(campaign.form, standard_of(campaign.form))
    items = list(
        CampaignHousehold.objects.filter(campaign=campaign)
        .select_related("campaign__form", "campaign__commune", "household", "village")
        .order_by("household__code")
    )
    first = [i for i in items if i.village_id == villages[0].pk]
    second = [i for i in items if i.village_id == villages[1].pk]
    device = Device.objects.get_or_create(
        device_id="demo-dieutravien-01", defaults={"user": enumerator, "label": "Điện thoại bản Khá"}
    )[0]
    for n, item in enumerate(first + second[: len(second) // 2]):
        answers = _undrived(item, answers_for(qs, item.previous_class, n))
        _save_response(actor=None, item=item, answers=answers, device=device, entered_at=None)
    _demo_conflict(second[len(second) // 2], qs, enumerator, device)
    _demo_paperwork(campaign, villages[0], first)
    return len(items)


def _demo_paperwork(campaign: Campaign, village: UnitVersion, surveyed: list[CampaignHousehold]) -> None:
    """Bản Khá held its meeting; the results are posted and two complaints are open."""

    attendees = max(20, len(surveyed))
    meeting_record(
        actor=None,
        campaign=campaign,
        village=village,
        held_on=date(YEAR, 11, 3),
        attendees=attendees,
        agreed=attendees - 4,
        chaired_by="Trưởng bản Khá",
        minutes_note="Biên bản 2 bản: 1 lưu tại bản, 1 gửi Ban Chỉ đạo xã",
    )
    posting_record(
        actor=None,
        campaign=campaign,
        starts_on=date(YEAR, 11, 5),
        ends_on=date(YEAR, 11, 19),
        place="Trụ sở UBND xã và nhà văn hóa bản Khá",
    )
    for item, who in zip(surveyed[:2], ("Lò Văn Pâng", "Quàng Thị Ún"), strict=False):
        complaint_record(
            actor=None,
            item=item,
            received_on=date(YEAR, 11, 8),
            complainant=who,
            content="Đề nghị xem lại: hộ chưa được tính thiếu hụt nước sinh hoạt",
        )


def _undrived(item: CampaignHousehold, answers: dict[str, Any]) -> dict[str, Any]:
    """Leave the indicators the members answer to the derivation (as an enumerator who agrees with them)."""
    derived = derived_for(item)
    return {k: v for k, v in answers.items() if k.removeprefix("b2_") not in derived}


def _demo_conflict(
    item: CampaignHousehold, qs: dict[str, list[dict[str, Any]]], enumerator: User, device: Device
) -> None:
    """The office saved the form; the enumerator's offline copy (from before) then synced: a conflict."""

    office = _undrived(item, answers_for(qs, item.previous_class, 1))
    _save_response(actor=None, item=item, answers=office, device=None, entered_at=None)
    field = dict(office, b1_house="don_so", b1_members="7+")
    enumerator._scope_cache = None  # type: ignore[attr-defined]
    sync_batch(
        actor=enumerator,
        device_id=device.device_id,
        items=[
            {
                "client_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{item.pk}")),
                "household": item.pk,
                "base_version": 0,
                "answers": field,
                "entered_at": f"{date(YEAR, 10, 20).isoformat()}T09:00:00+07:00",
            }
        ],
    )
