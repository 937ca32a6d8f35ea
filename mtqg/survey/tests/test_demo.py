"""The demo campaign (small variant used by the browser tests, and the paperwork helper on a full one)."""

from __future__ import annotations

from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.poverty.models import Household
from mtqg.survey import demo
from mtqg.survey.models import Campaign, CampaignHousehold, Complaint, SyncConflict, VillageMeeting
from mtqg.testing import make_world

from .factories import make_campaign


class DemoTest(TestCase):
    def test_small_demo_has_the_enumerator_on_two_villages(self) -> None:
        make_world()
        self.assertEqual(demo.seed(small=True), 6)
        self.assertEqual(demo.seed(small=True), 0)  # idempotent
        roles = Assignment.objects.filter(user__username="dieutravien").values_list("role", "unit__name")
        self.assertEqual(sorted(roles), [("enumerator", "Bản Co Thón"), ("enumerator", "Bản Khá")])

    def test_full_demo_is_in_progress_with_meeting_complaints_and_conflict(self) -> None:
        world = make_world()
        # a register with last year's poor in Mường Phăng, no village set: the demo spreads them over 5 villages
        campaign = make_campaign(world.muong_phang, villages=1, per_village=12, prefix="DM")
        CampaignHousehold.objects.filter(campaign=campaign).delete()
        campaign.villages.all().delete()
        campaign.delete()

        Household.objects.filter(code__startswith="DM-").update(village=None)
        self.assertEqual(demo.seed(), 12)
        campaign = Campaign.objects.get(year=2025)
        statuses = list(
            CampaignHousehold.objects.filter(campaign=campaign).values_list("village__name", "status")
        )
        done = {v for v, s in statuses if s == "surveyed"}
        self.assertIn("Bản Khá", done)
        self.assertIn("pending", {s for _v, s in statuses})
        self.assertTrue(VillageMeeting.objects.get(campaign=campaign).passed)
        self.assertEqual(Complaint.objects.filter(status="open").count(), 2)
        self.assertEqual(SyncConflict.objects.filter(resolved_at__isnull=True).count(), 1)
