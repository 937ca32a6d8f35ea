"""Notifications: in-app + e-mail per preference, muting, dedupe keys, recipients by scope, reminders, digest,
inbox pages."""

from __future__ import annotations

from datetime import date
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from mtqg.accounts.models import User
from mtqg.notifications import reminders
from mtqg.notifications.models import Notification, Preference
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.reminders import Reminder, run_reminders
from mtqg.notifications.services import digest_send, notification_send, preference_update
from mtqg.testing import make_world


def provider(today: date) -> list[Reminder]:
    user = User.objects.get(username="db_officer")
    return [
        Reminder(
            recipients=[user],
            category="system",
            title=f"Hạn nộp báo cáo {today:%d/%m/%Y}",
            url="/workflow/",
            key=f"test-deadline-{today.isoformat()}",
        )
    ]


class NotificationTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        for user in (cls.world.dien_bien_officer, cls.world.cao_bang_officer):
            user.email = f"{user.username}@example.vn"
            user.save()

    def test_send_creates_inbox_rows_and_emails(self) -> None:
        notes = notification_send(
            recipients=[self.world.dien_bien_officer, self.world.dien_bien_officer],
            category="system",
            title="Báo cáo quý III bị trả lại",
            body="Lý do: thiếu số liệu xã Mường Phăng",
            url="/workflow/",
        )
        self.assertEqual(len(notes), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Báo cáo quý III bị trả lại", mail.outbox[0].subject)
        self.assertIn("Mường Phăng", mail.outbox[0].body)
        self.assertIsNotNone(notes[0].emailed_at)

    def test_mute_and_dedupe_key(self) -> None:
        preference_update(user=self.world.cao_bang_officer, email_mode="off", muted=["system", "bogus"])
        pref = Preference.objects.get(user=self.world.cao_bang_officer)
        self.assertEqual(pref.muted, ["system"])
        self.assertEqual(
            notification_send(recipients=[self.world.cao_bang_officer], category="system", title="x"), []
        )
        first = notification_send(
            recipients=[self.world.dien_bien_officer], category="system", title="a", key="k1"
        )
        again = notification_send(
            recipients=[self.world.dien_bien_officer], category="system", title="a", key="k1"
        )
        self.assertEqual((len(first), len(again)), (1, 0))
        with self.assertRaises(ValueError):
            notification_send(recipients=[self.world.dien_bien_officer], category="no.such", title="x")

    def test_recipients_follow_scope(self) -> None:
        commune_path = self.world.commune_officer.assignments.get().unit.path
        covering = {u.username for u in users_covering(commune_path)}
        self.assertIn("db_officer", covering)
        self.assertIn("db_commune", covering)
        self.assertIn("central", covering)
        self.assertNotIn("cb_officer", covering)
        provincial = {u.username for u in users_covering(commune_path, roles=["province"])}
        self.assertEqual(provincial, {"db_officer"})

    def test_reminders_run_once_per_key(self) -> None:
        with mock.patch.object(
            reminders, "REMINDER_PROVIDERS", ["mtqg.notifications.tests.test_notifications:provider"]
        ):
            call_command("send_reminders", "--date", "2026-09-10", stdout=mock.MagicMock())
            call_command("send_reminders", "--date", "2026-09-10", stdout=mock.MagicMock())
        self.assertEqual(Notification.objects.filter(key="test-deadline-2026-09-10").count(), 1)
        counts = run_reminders(date(2026, 9, 11), ["mtqg.notifications.tests.test_notifications:provider"])
        self.assertEqual(list(counts.values()), [1])

    def test_digest_sends_one_mail(self) -> None:
        preference_update(user=self.world.dien_bien_officer, email_mode="digest", muted=[])
        for i in range(3):
            notification_send(recipients=[self.world.dien_bien_officer], category="system", title=f"Việc {i}")
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(digest_send(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Việc 2", mail.outbox[0].body)
        self.assertEqual(digest_send(), 0)

    def test_inbox_pages(self) -> None:
        notification_send(recipients=[self.world.dien_bien_officer], category="system", title="Thông báo thử")
        self.client.force_login(self.world.dien_bien_officer)
        page = self.client.get("/notifications/")
        self.assertContains(page, "Thông báo thử")
        self.assertContains(page, "data-unread")
        self.client.post("/notifications/read/")
        self.assertFalse(Notification.objects.filter(read_at__isnull=True).exists())
        self.client.force_login(self.world.cao_bang_officer)
        self.assertNotContains(self.client.get("/notifications/"), "Thông báo thử")
        resp = self.client.post("/notifications/preferences/", {"email_mode": "digest", "muted": ["system"]})
        self.assertEqual(resp.status_code, 302)
        self.assertEqual(Preference.objects.get(user=self.world.cao_bang_officer).email_mode, "digest")
        bad = self.client.post("/notifications/preferences/", {"email_mode": "sometimes"}, follow=True)
        self.assertContains(bad, "không hợp lệ")
