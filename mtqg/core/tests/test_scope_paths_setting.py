"""core.scoping asks the function settings.MTQG_SCOPE_PATHS names for a user's paths (core imports no app)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.test import TestCase, override_settings

from mtqg.core.scoping import ScopePaths, ensure_can_edit, view_prefixes
from mtqg.geo.models import UnitVersion
from mtqg.testing import make_world


def cao_bang_view_only(user: Any) -> ScopePaths:
    """A stand-in policy: every user sees Cao Bằng (2025) and may edit nothing."""
    path = UnitVersion.objects.get(structure="2025", level=1, code="04").path
    return ((path,), ())


class ScopePathsSettingTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_the_default_setting_is_the_assignments(self) -> None:
        prefixes = view_prefixes(self.world.dien_bien_officer)
        self.assertIn(self.world.dien_bien.path, prefixes)
        self.assertFalse(any(self.world.cao_bang.path.startswith(p) for p in prefixes))

    @override_settings(MTQG_SCOPE_PATHS="mtqg.core.tests.test_scope_paths_setting.cao_bang_view_only")
    def test_the_named_function_decides_what_a_user_sees_and_edits(self) -> None:
        officer = self.world.dien_bien_officer
        visible = UnitVersion.objects.visible_to(officer)
        self.assertTrue(visible.filter(pk=self.world.cao_bang.pk).exists())
        self.assertFalse(visible.filter(pk=self.world.dien_bien.pk).exists())
        self.assertFalse(UnitVersion.objects.editable_by(officer).exists())
        with self.assertRaises(PermissionDenied):
            ensure_can_edit(officer, self.world.dien_bien.path)
