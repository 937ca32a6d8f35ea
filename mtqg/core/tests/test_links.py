"""Page URLs reversed once per process (mtqg.core.links, decision 0821): the same URLs as reverse(), per script
prefix, and the navigation and the base template link them."""

from __future__ import annotations

from django.template import Context, Template, TemplateSyntaxError
from django.test import SimpleTestCase, TestCase
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from mtqg.core.context_processors import NAVIGATION
from mtqg.core.links import page_url
from mtqg.testing import make_world


class PageUrlTest(SimpleTestCase):
    def tearDown(self) -> None:
        clear_script_prefix()

    def test_same_as_reverse_and_per_script_prefix(self) -> None:
        for _label, name, _icon in NAVIGATION:
            self.assertEqual(page_url(name), reverse(name))
        plain = page_url("core:jobs")
        set_script_prefix("/mtqg/")  # a deployment under a sub-path: its own entries
        self.assertEqual(page_url("core:jobs"), reverse("core:jobs"))
        self.assertEqual(page_url("core:jobs"), "/mtqg" + str(plain))
        clear_script_prefix()
        self.assertEqual(page_url("core:jobs"), plain)

    def test_unknown_name(self) -> None:
        self.assertIsNone(page_url("nowhere:at_all"))
        with self.assertRaises((NoReverseMatch, TemplateSyntaxError)):
            Template("{% load links %}{% page_url 'nowhere:at_all' %}").render(Context())


class BaseTemplateLinksTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_every_page_link_of_the_base_template(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        page = self.client.get("/notifications/").content.decode()
        for name in (
            "frontpage:home",
            "set_language",
            "notifications:inbox",
            "accounts:password_change",
            "notifications:preferences",
            "core:jobs",
            "accounts:logout",
            "geo:search",
            "geo:tree",
            "core:jsi18n",
            *(name for _label, name, _icon in NAVIGATION),
        ):
            self.assertIn(f'"{reverse(name)}', page, name)
