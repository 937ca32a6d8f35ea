"""The load test's users and sessions (benchmarks/load.py) are created once and dropped."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import TestCase

from benchmarks.load import drop_sessions, ensure_users, make_sessions
from mtqg.accounts.models import User
from mtqg.geo.models import UnitVersion
from mtqg.testing import make_world


class LoadTestUsersTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_users_are_created_once_and_sessions_dropped(self) -> None:
        first = ensure_users()
        self.assertIn("load_central", first)
        self.assertEqual(len(first), 1 + UnitVersion.objects.filter(structure="2025", level=1).count())

        users = User.objects.filter(username__startswith="load_").count()
        again = ensure_users()
        self.assertEqual(User.objects.filter(username__startswith="load_").count(), users)
        self.assertEqual(set(again), set(first))
        db = again["load_p11"]
        self.assertEqual(db.unit_id, self.world.dien_bien.pk)
        self.assertTrue(db.old_communes)  # pre-2025 communes of Điện Biên for as-reported drill-downs
        keys = make_sessions([again["load_central"], db])
        self.assertEqual(Session.objects.filter(session_key__in=keys).count(), 2)

        drop_sessions(keys)
        self.assertFalse(Session.objects.filter(session_key__in=keys).exists())
