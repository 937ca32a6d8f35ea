"""acting_user(): what a service stores in a row's "by" field and in the change record's actor."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import TestCase

from mtqg.accounts.models import User
from mtqg.core.audit import acting_user, record_change
from mtqg.geo.models import UnitVersion


class ActingUserTests(TestCase):
    def test_signed_in_user_is_kept_anyone_else_is_none(self) -> None:
        user = User.objects.create_user(username="officer", password="x")
        self.assertIs(acting_user(user), user)
        self.assertIsNone(acting_user(AnonymousUser()))
        self.assertIsNone(acting_user(None))
        self.assertIsNone(acting_user("seed-command"))

    def test_record_change_stores_the_acting_user(self) -> None:
        user = User.objects.create_user(username="officer", password="x")
        unit = UnitVersion.objects.order_by("pk").first()
        assert unit is not None
        with transaction.atomic():
            signed_in = record_change(actor=user, obj=unit, action="updated")
            anonymous = record_change(actor=AnonymousUser(), obj=unit, action="updated")
        self.assertEqual(signed_in.actor, user)
        self.assertIsNone(anonymous.actor)
