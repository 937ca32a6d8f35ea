"""Plain helpers that make a review campaign for tests: villages under a commune, listed households."""

from __future__ import annotations

from datetime import date
from typing import Any

from mtqg.accounts.models import User
from mtqg.geo.models import UnitVersion
from mtqg.geo.services import unit_create
from mtqg.poverty.models import Household
from mtqg.poverty.tests.factories import make_household
from mtqg.survey.definitions import load_forms
from mtqg.survey.models import Campaign, CampaignHousehold, Certificate, Posting, VillageMeeting
from mtqg.survey.paperwork import decision_record, meeting_record, posting_record
from mtqg.survey.services import campaign_create, campaign_village_assign, response_save
from mtqg.testing import PASSWORD, World
from mtqg.workflow.calendar import load_calendars


def make_village(commune: UnitVersion, n: int) -> UnitVersion:
    code = f"{commune.code}-B{n:02d}"
    found = UnitVersion.objects.filter(structure=commune.structure, level=4, code=code).first()
    return found or unit_create(
        actor=None,
        parent=commune,
        code=code,
        name=f"Bản Thử {n}",
        level=4,
        kind=UnitVersion.Kind.VILLAGE,
        valid_from=commune.valid_from,
    )


def make_enumerator(username: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, full_name=f"ĐTV {username}")


def make_campaign(
    commune: UnitVersion, *, villages: int = 2, per_village: int = 2, year: int = 2025, prefix: str = "SV"
) -> Campaign:
    """A campaign of `year` whose list is `villages` × `per_village` households poor in `year - 1`."""
    load_forms()
    load_calendars([year])
    for v in range(1, villages + 1):
        village = make_village(commune, v)
        for i in range(per_village):
            hh = make_household(commune, f"{prefix}-{v}-{i}", f"Lò Văn {prefix}{v}{i}", year=year - 1)
            Household.objects.filter(pk=hh.pk).update(village=village)
    return campaign_create(actor=None, commune=commune, year=year)


def assign(campaign: Campaign, village_no: int, user: User, actor: Any = None) -> None:
    village = make_village(campaign.commune, village_no)
    campaign_village_assign(actor=actor, campaign=campaign, village=village, enumerator=user)


ANSWERS_POOR: dict[str, Any] = {
    **{f"a{i}": False for i in range(1, 7)},
    "b1_members": "5-6",
    "b1_workers": "1",
    "b1_house": "thieu_kien_co",
    "b1_floor": "8-15",
    "b1_land": "<0.5",
    "b1_cattle": "0",
    "b1_assets": ["tivi"],
    # B2: deprived on 3 indicators of NĐ 07/2021
    **{
        f"b2_{c}": c in ("bhyt", "nha_tieu", "nguon_nuoc")
        for c in [
            "viec_lam",
            "nguoi_phu_thuoc",
            "dinh_duong",
            "bhyt",
            "giao_duc_nguoi_lon",
            "di_hoc_tre_em",
            "chat_luong_nha",
            "dien_tich_nha",
            "nguon_nuoc",
            "nha_tieu",
            "vien_thong",
            "phuong_tien_thong_tin",
        ]
    },
}


def village_meeting(officer: Any, campaign: Campaign, attendees: int, agreed: int) -> VillageMeeting:
    """The meeting of village 1 on 2 November of the campaign's year."""
    return meeting_record(
        actor=officer,
        campaign=campaign,
        village=make_village(campaign.commune, 1),
        held_on=date(campaign.year, 11, 2),
        attendees=attendees,
        agreed=agreed,
        chaired_by="Trưởng bản",
    )


def list_posted(officer: Any, campaign: Campaign, place: str = "Nhà văn hóa") -> Posting:
    """The results posted from 4 to 10 November of the campaign's year."""
    y = campaign.year
    return posting_record(
        actor=officer, campaign=campaign, starts_on=date(y, 11, 4), ends_on=date(y, 11, 10), place=place
    )


def campaign_decide(
    officer: Any,
    campaign: Campaign,
    answers: list[dict[str, Any]],
    number: str,
    signer: str = "Chủ tịch UBND xã",
) -> None:
    """The whole review up to the commune's decision: the households' answers (in code order), the village
    meeting, the posting, and the decision signed on 12 November of the campaign's year."""
    items = CampaignHousehold.objects.filter(campaign=campaign).order_by("household__code")
    for item, item_answers in zip(items, answers, strict=True):
        response_save(actor=officer, item=item, answers=item_answers, expected_version=0)
    village_meeting(officer, campaign, attendees=10, agreed=9)
    list_posted(officer, campaign)
    decision_record(
        actor=officer, campaign=campaign, number=number, signed_on=date(campaign.year, 11, 12), signer=signer
    )


def guard_sample(world: World) -> list[str]:
    """A Điện Biên campaign (and a Cao Bằng one) for the scope guard; returns Điện Biên-only URLs."""
    db = make_campaign(world.muong_phang, villages=1, per_village=1, prefix="GUARD-SV")
    cb_commune = (
        UnitVersion.objects.filter(path__startswith=world.cao_bang.path, level=3, valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    assert cb_commune is not None
    make_campaign(cb_commune, villages=1, per_village=1, prefix="GUARD-SVCB")
    item = CampaignHousehold.objects.filter(campaign=db).first()
    assert item is not None
    cert = Certificate.objects.create(
        household=item.household,
        campaign=db,
        commune=db.commune,
        number="001/GCN-HN.HCN",
        issued_on=date(2025, 12, 1),
        issuer="UBND GUARD-ĐB",
        poverty_class="poor",
        year=2025,
    )
    return [f"/ra-soat/{db.pk}/", f"/ra-soat/ho/{item.pk}/", f"/ra-soat/giay-chung-nhan/{cert.pk}/"]
