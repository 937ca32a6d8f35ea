"""The one scoping mechanism: what each persona sees and may edit, across the 2025 reform."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.core.scoping import (
    edit_prefixes,
    ensure_can_edit,
    get_visible_or_404,
    path_editable,
    path_visible,
    view_prefixes,
)
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import unit_by_code
from mtqg.testing import make_user, make_world


class ScopeTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.old_commune = unit_by_code("03325", date(2020, 1, 1))  # pre-2025 Xã Mường Phăng

    def test_province_officer_sees_both_structures_of_the_province_only(self) -> None:
        visible = UnitVersion.objects.visible_to(self.world.dien_bien_officer)
        self.assertTrue(visible.filter(pk=self.world.dien_bien.pk).exists())
        self.assertTrue(visible.filter(pk=self.world.dien_bien_old.pk).exists())
        self.assertEqual(visible.filter(level=3, structure="pre2025").count(), 129)
        self.assertEqual(visible.filter(level=3, structure="2025").count(), 45)
        self.assertFalse(visible.filter(path__startswith=self.world.cao_bang.path).exists())
        self.assertFalse(visible.filter(pk=self.world.country.pk).exists())

    def test_commune_officer_sees_own_commune_and_its_predecessors(self) -> None:
        visible = UnitVersion.objects.visible_to(self.world.commune_officer)
        self.assertTrue(visible.filter(pk=self.world.muong_phang.pk).exists())
        self.assertTrue(visible.filter(pk=self.old_commune.pk).exists())
        self.assertFalse(visible.filter(pk=self.world.dien_bien.pk).exists())
        self.assertLessEqual(visible.filter(level=3).count(), 10)

    def test_central_sees_everything_and_supervisor_cannot_edit(self) -> None:
        self.assertEqual(
            UnitVersion.objects.visible_to(self.world.central).count(), UnitVersion.objects.count()
        )
        self.assertTrue(path_visible(self.world.supervisor, self.world.muong_phang.path))
        self.assertFalse(path_editable(self.world.supervisor, self.world.muong_phang.path))
        self.assertEqual(edit_prefixes(self.world.supervisor), ())

    def test_view_only_assignment_and_expired_assignment(self) -> None:
        viewer = make_user("viewer", Assignment.Role.PROVINCE, self.world.cao_bang, Assignment.Access.VIEW)
        self.assertTrue(path_visible(viewer, self.world.cao_bang.path))
        self.assertFalse(path_editable(viewer, self.world.cao_bang.path))
        expired = make_user("expired", Assignment.Role.PROVINCE, self.world.cao_bang)
        expired.assignments.update(valid_to=date(2020, 1, 1))
        self.assertEqual(view_prefixes(expired), ())
        self.assertFalse(UnitVersion.objects.visible_to(expired).exists())

    def test_anonymous_sees_nothing_and_404_is_uniform(self) -> None:
        self.assertFalse(UnitVersion.objects.visible_to(AnonymousUser()).exists())
        with self.assertRaises(Http404):
            get_visible_or_404(
                UnitVersion.objects.all(), self.world.cao_bang_officer, pk=self.world.muong_phang.pk
            )
        with self.assertRaises(Http404):
            get_visible_or_404(UnitVersion.objects.all(), self.world.cao_bang_officer, pk=10**9)
        with self.assertRaises(Http404):
            get_visible_or_404(UnitVersion.objects.all(), self.world.cao_bang_officer, pk="abc")

    def test_ensure_can_edit_refuses_users_out_of_scope_and_lets_system_jobs_through(self) -> None:
        path = self.world.muong_phang.path
        ensure_can_edit(self.world.dien_bien_officer, path)
        ensure_can_edit(None, path)  # actor=None: loaders, demo seeding, commands
        for user in (self.world.cao_bang_officer, self.world.supervisor, AnonymousUser()):
            with self.assertRaisesMessage(PermissionDenied, "không có quyền nhập liệu"):
                ensure_can_edit(user, path)
