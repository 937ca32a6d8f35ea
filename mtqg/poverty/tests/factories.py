"""Plain helpers that make poverty rows for tests."""

from __future__ import annotations

from datetime import date

from mtqg.core.text import fold
from mtqg.geo.models import UnitVersion
from mtqg.poverty.importing.staging import ReviewConstants, compress, households_text, reviews_text
from mtqg.poverty.models import (
    Household,
    ImportBatch,
    Member,
    PersonalDataExport,
    PovertyStandard,
    Review,
    StagedChunk,
    StagedMember,
)
from mtqg.poverty.standards import classify, load_standards, standard_for
from mtqg.testing import World


def first_commune(province: UnitVersion) -> UnitVersion:
    """The commune of a province with the lowest code."""
    commune = UnitVersion.objects.filter(path__startswith=province.path, level=3).order_by("code").first()
    assert commune is not None, province
    return commune


def make_household(
    commune: UnitVersion,
    code: str,
    head: str,
    *,
    year: int = 2023,
    income: int = 1_200_000,
    deprivations: int = 3,
    address: str = "",
) -> Household:
    load_standards()
    household = Household.objects.create(
        code=code,
        commune=commune,
        head_name=head,
        head_search=head.lower(),
        address=address,
        ethnicity="Thái",
    )

    household.head_search = fold(head)
    household.save(update_fields=["head_search"])
    Member.objects.create(
        household=household,
        full_name=head,
        search_name=fold(head),
        birth_date=date(1980, 1, 1),
        sex="M",
        relation="Chủ hộ",
        id_number="011080123456",
    )
    result = classify(year=year, area="rural", income=income, deprivations=deprivations)
    Review.objects.create(
        household=household,
        commune=commune,
        year=year,
        income_per_capita_month=income,
        deprivation_count=deprivations,
        standard=standard_for(year),
        poverty_class=result.poverty_class,
        ethnicity=household.ethnicity,
    )
    return household


def classed_review(household: Household, year: int, poverty_class: str, standard: PovertyStandard) -> Review:
    """A review in the household's commune whose class is given, not derived (income 500.000 đ/month)."""
    return Review.objects.create(
        household=household,
        commune=household.commune,
        year=year,
        poverty_class=poverty_class,
        income_per_capita_month=500_000,
        standard=standard,
    )


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of poverty and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    db_commune = world.muong_phang
    cb_commune = (
        UnitVersion.objects.filter(path__startswith=world.cao_bang.path, level=3).order_by("code").first()
    )
    assert cb_commune is not None
    db = make_household(db_commune, "GUARD-DB-1", "Lò Văn Guard", address="GUARD-ĐB")
    make_household(cb_commune, "GUARD-CB-1", "Nông Văn Guard", address="Cao Bằng")
    urls = [f"/poverty/ho/{db.pk}/", f"/poverty/ho/{db.pk}/sua/", f"/api/v1/poverty/households/{db.pk}/"]
    for unit, note in ((db_commune, "GUARD-ĐB"), (cb_commune, "")):
        batch = ImportBatch.objects.create(
            unit=unit,
            year=2023,
            file_name=f"{note or 'cb'}.csv",
            file_sha256="0" * 64,
            status=ImportBatch.Status.STAGED,
            note=note,
        )
        row = [2, f"{note or 'CB'}-S1", unit.pk, note or "Nông Văn Staged", "staged", note, "", "rural",
               1_000_000, "[]", 0, "near_poor", "", None]  # fmt: skip
        constants = ReviewConstants(2023, "periodic", standard_for(2023).pk, None, batch.pk)
        StagedChunk.objects.create(
            batch=batch,
            seq=0,
            first_line=2,
            last_line=2,
            size=1,
            lines="2",
            households=compress(households_text([row])),
            reviews=compress(reviews_text([row], constants)),
        )
        StagedMember.objects.create(
            batch=batch, line=2, household_code=f"{note or 'CB'}-S1", full_name=note or "Nông Thị Staged"
        )
        PersonalDataExport.objects.create(unit=unit, reason=note or "kiểm tra")
        if note:
            urls += [f"/poverty/nhap/{batch.pk}/", f"/poverty/nhap/{batch.pk}/loi/"]
    member = db.members.get()
    review = db.reviews.get()
    urls += [f"/poverty/ho/{db.pk}/thanh-vien/{member.pk}/", f"/poverty/ho/{db.pk}/ra-soat/{review.pk}/"]
    return urls
