"""Re-rating reminders: certificates expiring within the data's thresholds reach the entry users of the product's
commune, once per threshold; re-rated, uncertified and far-off products are left alone."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.notifications.models import Notification
from mtqg.notifications.reminders import REMINDER_PROVIDERS, run_reminders
from mtqg.ocop.reminders import CATEGORY, due, reminder_days
from mtqg.ocop.rules import load_rules
from mtqg.testing import make_world

from .factories import make_product, rate

PROVIDER = "mtqg.ocop.reminders:due"


class RerateRemindersTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        mp = cls.world.muong_phang
        # certificate 01/6/2023 → 01/6/2026
        cls.expiring = make_product(mp, name="Cà phê", total=60, decision_date=date(2023, 6, 1))
        cls.rerated = make_product(mp, name="Chè", total=60, decision_date=date(2023, 6, 1))
        rate(cls.rerated, 65, decision_date=date(2026, 3, 1))
        cls.low = make_product(mp, name="Rượu", total=40, decision_date=date(2023, 6, 1))
        cls.later = make_product(mp, name="Mật ong", total=60, decision_date=date(2024, 6, 1))

    def test_thresholds_are_data_and_provider_listed(self) -> None:
        self.assertEqual(reminder_days(), [90, 30])
        self.assertIn(PROVIDER, REMINDER_PROVIDERS)

    def test_due_within_90_days_to_entry_users_only(self) -> None:
        reminders = list(due(date(2026, 4, 15)))  # 47 days left
        self.assertEqual([r.url for r in reminders], [f"/ocop/products/{self.expiring.pk}/"])
        (reminder,) = reminders
        self.assertEqual(reminder.category, CATEGORY)
        self.assertIn("01/06/2026", reminder.title)
        self.assertIn("còn 47 ngày", reminder.body)
        names = {u.username for u in reminder.recipients}
        self.assertIn(self.world.dien_bien_officer.username, names)
        self.assertIn(self.world.commune_officer.username, names)
        self.assertNotIn(self.world.supervisor.username, names)  # view-only
        self.assertNotIn(self.world.cao_bang_officer.username, names)
        self.assertEqual(list(due(date(2026, 2, 1))), [])  # 120 days left: not yet
        self.assertEqual(list(due(date(2026, 6, 2))), [])  # already expired

    def test_sent_once_per_threshold(self) -> None:
        sent = run_reminders(date(2026, 4, 15), providers=[PROVIDER])[PROVIDER]
        self.assertGreaterEqual(sent, 2)
        self.assertEqual(run_reminders(date(2026, 4, 20), providers=[PROVIDER])[PROVIDER], 0)
        # inside 30 days: a second, final reminder
        self.assertEqual(run_reminders(date(2026, 5, 10), providers=[PROVIDER])[PROVIDER], sent)
        officer = Notification.objects.filter(recipient=self.world.dien_bien_officer, category=CATEGORY)
        self.assertEqual(officer.count(), 2)
