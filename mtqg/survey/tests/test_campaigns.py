"""Part 1: review campaigns per commune and year — the list, villages assigned to enumerators (scoped through
ordinary assignments), progress per village / commune / province, deadline from the reporting calendar."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.poverty.models import Household, Review
from mtqg.poverty.tests.factories import make_household
from mtqg.survey.models import Campaign, CampaignHousehold
from mtqg.survey.selectors import campaign_progress, village_progress
from mtqg.survey.services import campaign_create, response_save
from mtqg.testing import make_world
from mtqg.workflow.calendar import load_calendars

from .factories import ANSWERS_POOR, assign, make_campaign, make_enumerator, make_village


class CampaignTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        w = cls.world
        # last year (2024): two poor households per village in 2 villages, plus one not poor and one applicant
        cls.rich = make_household(w.muong_phang, "CP-RICH", "Lò Văn Giàu", year=2024, income=5_000_000)
        cls.applicant = make_household(w.muong_phang, "CP-APP", "Lò Thị Đơn", year=2024, income=3_000_000)
        cls.campaign = campaign_create_with(w, applied=[cls.applicant.pk])
        cls.enumerator = make_enumerator("dtv1")
        assign(cls.campaign, 1, cls.enumerator, actor=w.commune_officer)

    def test_list_is_last_years_poor_and_near_poor_plus_applicants(self) -> None:
        items = CampaignHousehold.objects.filter(campaign=self.campaign)
        codes = set(items.values_list("household__code", flat=True))
        self.assertEqual(codes, {"CP-1-0", "CP-1-1", "CP-2-0", "CP-2-1", "CP-APP"})
        self.assertEqual(items.get(household=self.applicant).source, "applied")
        self.assertEqual(items.get(household__code="CP-1-0").previous_class, "poor")
        self.assertEqual(
            (self.campaign.starts_on.isoformat(), self.campaign.deadline.isoformat()),
            ("2025-09-01", "2025-12-14"),
        )
        self.assertIn("Lịch báo cáo", self.campaign.deadline_source)

    def test_bad_input_is_refused_in_vietnamese(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Xã đã có đợt rà soát năm 2025"):
            campaign_create(actor=self.world.commune_officer, commune=self.world.muong_phang, year=2025)
        with self.assertRaisesMessage(ValidationError, "chưa có kỳ rà soát hằng năm"):
            campaign_create(actor=self.world.commune_officer, commune=self.world.muong_phang, year=2028)
        with self.assertRaises(PermissionDenied):
            campaign_create(actor=self.world.cao_bang_officer, commune=self.world.muong_phang, year=2026)

        load_calendars([2026])
        other = make_household(self.world.muong_phang, "CP-X", "Lò Văn X", year=2024, income=9_000_000)
        Household.objects.filter(pk=other.pk).update(commune=self.world.cao_bang)
        with self.assertRaisesMessage(ValidationError, "Có hộ không thuộc xã này"):
            campaign_create(actor=None, commune=self.world.muong_phang, year=2026, proposed=[other.pk])
        self.assertFalse(Campaign.objects.filter(year=2026).exists())

    def test_enumerator_scope_is_an_assignment_on_the_village(self) -> None:
        village1, village2 = make_village(self.world.muong_phang, 1), make_village(self.world.muong_phang, 2)
        assignment = Assignment.objects.get(user=self.enumerator)
        self.assertEqual((assignment.role, assignment.unit), (Assignment.Role.ENUMERATOR, village1))
        seen = CampaignHousehold.objects.visible_to(self.enumerator)
        self.assertEqual(set(seen.values_list("household__code", flat=True)), {"CP-1-0", "CP-1-1"})
        self.assertFalse(Household.objects.visible_to(self.enumerator).exists())  # not the commune's register
        self.assertFalse(Campaign.objects.visible_to(self.enumerator).exists())
        other = CampaignHousehold.objects.get(household__code="CP-2-0")
        with self.assertRaises(PermissionDenied):
            response_save(actor=self.enumerator, item=other, answers=ANSWERS_POOR, expected_version=0)
        self.client.force_login(self.enumerator)
        self.assertEqual(self.client.get(f"/ra-soat/ho/{other.pk}/").status_code, 404)
        mine = CampaignHousehold.objects.get(household__code="CP-1-0")
        self.assertEqual(self.client.get(f"/ra-soat/ho/{mine.pk}/").status_code, 200)
        self.assertEqual(village2.parent, self.world.muong_phang)

    def test_progress_per_village_commune_province(self) -> None:
        item = CampaignHousehold.objects.get(household__code="CP-1-0")
        response_save(actor=self.enumerator, item=item, answers=ANSWERS_POOR, expected_version=0)
        rows = {
            cv.village.name if cv else None: (p.total, p.surveyed)
            for cv, p in village_progress(self.campaign, self.world.commune_officer)
        }
        self.assertEqual(rows, {"Bản Thử 1": (2, 1), "Bản Thử 2": (2, 0), None: (1, 0)})
        province = campaign_progress(
            Campaign.objects.visible_to(self.world.dien_bien_officer), self.world.dien_bien_officer
        )
        self.assertEqual((province[self.campaign.pk].total, province[self.campaign.pk].surveyed), (5, 1))
        self.client.force_login(self.world.dien_bien_officer)
        page = self.client.get("/ra-soat/?year=2025")
        self.assertContains(page, "Mường Phăng")
        self.assertContains(page, "<td>2025</td>")
        self.assertContains(
            page, '<td class="text-end">20,0</td>'
        )  # 1 of 5 surveyed, Vietnamese decimal comma

    def test_campaign_page_queries_do_not_grow_with_households(self) -> None:
        self.client.force_login(self.world.commune_officer)
        url = f"/ra-soat/{self.campaign.pk}/"
        self.client.get(url)
        with self.assertNumQueries(15):  # the scope in one query (0821)
            self.assertContains(self.client.get(url), "CP-1-0")
        village = make_village(self.world.muong_phang, 3)
        for i in range(30):
            hh = make_household(self.world.muong_phang, f"CP-MORE-{i}", "Lò Văn Thêm", year=2024)
            CampaignHousehold.objects.create(
                campaign=self.campaign, household=hh, village=village, path=village.path, source="proposed"
            )
        with self.assertNumQueries(15):  # the scope in one query (0821)
            self.assertContains(self.client.get(url), "CP-MORE-0")

    def test_commune_officer_opens_a_campaign_from_the_screen(self) -> None:
        load_calendars([2026])
        Review.objects.filter(year=2024).update(year=2025)
        self.client.force_login(self.world.commune_officer)
        response = self.client.post("/ra-soat/", {"commune": "03325", "year": "2026"})
        campaign = Campaign.objects.get(year=2026)
        self.assertRedirects(response, f"/ra-soat/{campaign.pk}/")
        self.assertEqual(campaign.households.count(), 4)  # 2025's poor; the 2025 applicant was not poor
        bad = self.client.post("/ra-soat/", {"commune": "99999", "year": "2026"})
        self.assertContains(bad, "Không tìm thấy xã")


def campaign_create_with(world, *, applied):  # type: ignore[no-untyped-def]
    campaign = make_campaign(world.muong_phang, villages=2, per_village=2, year=2025, prefix="CP")
    CampaignHousehold.objects.filter(campaign=campaign).delete()
    campaign.delete()
    return campaign_create(actor=world.commune_officer, commune=world.muong_phang, year=2025, applied=applied)
