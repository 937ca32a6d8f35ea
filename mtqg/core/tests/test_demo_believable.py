"""Believable demo data: nothing is dated after today (reports, assessments), members' ages
agree with their relation to the head, and the Cao Bằng sample register is labelled as illustrative."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.test import TestCase
from django.utils import timezone

from mtqg.ntm import demo as ntm_demo
from mtqg.ntm.models import Assessment
from mtqg.poverty import demo as poverty_demo
from mtqg.poverty.models import Member
from mtqg.poverty.reports import coverage
from mtqg.poverty.tally import tally_refresh
from mtqg.testing import make_world, unit
from mtqg.workflow import demo as workflow_demo
from mtqg.workflow.models import Report


class DemoBelievableTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        workflow_demo.seed()
        ntm_demo.seed_dien_bien_2026()
        poverty_demo.load_standards()
        poverty_demo.seed_register_samples()
        poverty_demo.seed_cao_bang(members=True)
        tally_refresh()

    def test_no_report_submitted_or_decided_after_today(self) -> None:
        now = timezone.now()
        self.assertTrue(Report.objects.filter(submitted_at__isnull=False).exists())
        self.assertFalse(Report.objects.filter(submitted_at__gt=now).exists())
        self.assertFalse(Report.objects.filter(decided_at__gt=now).exists())
        q4 = Report.objects.filter(period__code="2026-Q4", submitted_at__isnull=False)
        self.assertTrue(q4.exists())  # early Q4 submissions are kept, dated before today
        self.assertFalse(q4.filter(submitted_at__date__gt=workflow_demo.DEMO_TODAY).exists())

    def test_no_assessment_dated_after_today(self) -> None:
        self.assertTrue(Assessment.objects.filter(year=2026).exists())
        self.assertFalse(Assessment.objects.filter(assessed_on__gt=timezone.localdate()).exists())

    def test_members_ages_agree_with_their_relation(self) -> None:
        born: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
        for hid, relation, birth in Member.objects.values_list("household_id", "relation", "birth_date"):
            born[hid][relation].append(birth)
        self.assertEqual(len(born), 8000)
        checked = 0
        for hid, members in born.items():
            (head,) = members["Chủ hộ"]
            self.assertLessEqual(head.year, 2023 - 18, hid)  # the head is an adult at the 2023 review
            for child in members.get("Con", []):
                self.assertGreaterEqual(child.year - head.year, 18, hid)
            for parent in members.get("Bố/mẹ", []):
                self.assertGreaterEqual(head.year - parent.year, 18, hid)
                checked += 1
        self.assertGreater(checked, 100)

    def test_cao_bang_sample_register_is_labelled(self) -> None:
        c = coverage(unit("pre2025", 1, "04"), 2023)
        self.assertTrue(c["illustrative"])
        self.assertIn("minh họa", c["text"])
