"""The unread badge of base.html (plain SQL, decision 0821): the user's unread notifications, no one else's."""

from __future__ import annotations

import re

from django.test import TestCase
from django.utils import timezone

from mtqg.notifications.context_processors import unread_count
from mtqg.notifications.models import Notification
from mtqg.notifications.services import notification_send
from mtqg.testing import make_world


class BadgeTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def badge(self) -> str | None:
        page = self.client.get("/notifications/").content.decode()
        found = re.search(r"data-unread>(\d+)<", page)
        return found.group(1) if found else None

    def test_the_badge_counts_the_users_unread_notifications_only(self) -> None:
        officer, other = self.world.dien_bien_officer, self.world.cao_bang_officer
        for i in range(3):
            notification_send(recipients=[officer], category="system", title=f"Việc {i}")
        for i in range(5):
            notification_send(recipients=[other], category="system", title=f"Việc khác {i}")
        first = Notification.objects.filter(recipient=officer).order_by("pk").first()
        assert first is not None
        Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
        expected = Notification.objects.filter(recipient=officer, read_at__isnull=True).count()
        self.assertEqual(expected, 2)
        self.assertEqual(unread_count(officer.pk), expected)
        self.assertEqual(unread_count(other.pk), 5)
        self.assertEqual(unread_count(self.world.central.pk), 0)
        self.client.force_login(officer)
        self.assertEqual(self.badge(), "2")
        self.client.post("/notifications/read/")
        self.assertIsNone(self.badge())
