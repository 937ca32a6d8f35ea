"""The user's scope in one query (decision 0821): the same paths as the lineage closure, fresh on every request."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import TestCase
from django.utils import timezone

from mtqg.accounts.models import Assignment, User
from mtqg.accounts.scoping import _minimal, paths_for
from mtqg.core.scoping import ScopePaths
from mtqg.geo.models import UnitLineage, UnitVersion
from mtqg.geo.services import unit_create
from mtqg.testing import PASSWORD, make_user, make_world


def reference(user: User) -> ScopePaths:
    """The scope as computed before decision 0821: per assignment, `Assignment.scope_prefixes()` (the Python
    lineage closure of geo.selectors, one query per step)."""
    view: set[str] = set()
    edit: set[str] = set()
    for assignment in Assignment.objects.active_for(user, timezone.localdate()).select_related("unit"):
        paths = {""} if assignment.role == Assignment.Role.ADMIN else assignment.scope_prefixes()
        view |= paths
        if assignment.can_edit:
            edit |= paths
    return tuple(sorted(_minimal(view))), tuple(sorted(_minimal(edit)))


def fresh(user: User) -> User:
    """The user as the next request loads it (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


class ScopeQueryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        # a commune of tomorrow's reform: Mường Phăng (2025) merges into it, so an assignment on it covers Mường
        # Phăng and, one lineage step further, Mường Phăng's pre-2025 communes
        cls.merged = unit_create(
            actor=None,
            parent=cls.world.dien_bien,
            code="99901",
            name="Xã Mường Phăng Mới",
            level=UnitVersion.Level.COMMUNE,
            kind=UnitVersion.Kind.COMMUNE,
            valid_from=cls.world.dien_bien.valid_from,
        )
        UnitLineage.objects.create(
            predecessor=cls.world.muong_phang,
            successor=cls.merged,
            kind=UnitLineage.Kind.MERGE,
            event_date=date(2030, 1, 1),
        )
        today = timezone.localdate()
        cls.mixed = make_user("mixed", Assignment.Role.COMMUNE, cls.merged)
        for role, unit, access, valid_from, valid_to in (
            (Assignment.Role.SUPERVISOR, cls.world.cao_bang, Assignment.Access.ENTRY, None, None),
            (Assignment.Role.PROVINCE, cls.world.cao_bang_old, Assignment.Access.VIEW, None, None),
            (Assignment.Role.CENTRAL, cls.world.country, Assignment.Access.ENTRY, None, today - timedelta(1)),
            (Assignment.Role.CENTRAL, cls.world.country, Assignment.Access.ENTRY, today + timedelta(1), None),
        ):
            Assignment.objects.create(
                user=cls.mixed, role=role, unit=unit, access=access, valid_from=valid_from, valid_to=valid_to
            )
        cls.admin = make_user(
            "admin_role", Assignment.Role.ADMIN, cls.world.muong_phang, Assignment.Access.VIEW
        )

    def test_every_persona_gets_the_paths_of_the_lineage_closure(self) -> None:
        users = User.objects.filter(assignments__isnull=False).distinct()
        self.assertGreaterEqual(users.count(), 7)
        for user in users:
            with self.subTest(user=user.username):
                self.assertEqual(paths_for(fresh(user)), reference(user))

    def test_lineage_is_followed_more_than_one_step(self) -> None:
        view, edit = paths_for(fresh(self.mixed))
        old_communes = UnitVersion.objects.filter(successor_edges__successor=self.world.muong_phang)
        self.assertTrue(old_communes.exists())
        for unit in (self.merged, self.world.muong_phang, *old_communes):
            self.assertIn(unit.path, view)
            self.assertIn(unit.path, edit)  # the commune assignment has entry access
        # the supervisor's entry access and the view-only assignment give no edit scope; the expired and the
        # future assignment over the country give nothing
        self.assertIn(self.world.cao_bang.path, view)
        self.assertIn(self.world.cao_bang_old.path, view)
        self.assertNotIn(self.world.cao_bang.path, edit)
        self.assertNotIn(self.world.cao_bang_old.path, edit)
        self.assertNotIn(self.world.country.path, view)

    def test_an_admin_assignment_sees_everything_and_edits_nothing_when_view_only(self) -> None:
        self.assertEqual(paths_for(fresh(self.admin)), (("",), ()))

    def test_one_query_whatever_the_assignments(self) -> None:
        for user in (self.mixed, self.world.dien_bien_officer, self.world.commune_officer):
            user = fresh(user)
            with self.assertNumQueries(1):
                paths_for(user)
            with self.assertNumQueries(0):  # the rest of the request reads it from the user object
                paths_for(user)

    def test_a_change_counts_from_the_next_request_even_a_bulk_update(self) -> None:
        """Nothing is kept across requests: a queryset update (no signal, no service) is seen by the next
        request, in both directions."""
        page = f"/dashboards/{self.world.muong_phang.pk}/"
        self.client.login(username="db_officer", password=PASSWORD)
        self.assertEqual(self.client.get(page).status_code, 200)
        Assignment.objects.filter(user=self.world.dien_bien_officer).update(unit=self.world.cao_bang)
        self.assertEqual(self.client.get(page).status_code, 404)
        Assignment.objects.filter(user=self.world.dien_bien_officer).update(unit=self.world.dien_bien)
        self.assertEqual(self.client.get(page).status_code, 200)
        self.client.login(username="mixed", password=PASSWORD)
        self.assertEqual(self.client.get(page).status_code, 200)  # through the merged commune's lineage
        UnitLineage.objects.filter(successor=self.merged).delete()
        self.assertEqual(self.client.get(page).status_code, 404)  # the edge to the merged commune is gone
