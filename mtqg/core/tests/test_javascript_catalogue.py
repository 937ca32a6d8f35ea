"""The JavaScript's words come from Django's JavaScript catalogue (/jsi18n/, djangojs.po; decision 0060), and
`make lint` (scripts/check_translations.sh) fails when a gettext() string of the JavaScript has no English."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


class CatalogueTests(TestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_english_words_of_the_dashboards_and_the_field_app(self) -> None:
        self.client.cookies["django_language"] = "en"
        body = self.client.get(reverse("core:jsi18n")).content.decode()
        self.assertIn('"Ch\\u00fa gi\\u1ea3i": "Legend"', body)
        self.assertIn('"Not met / no data"', body)
        self.assertIn("interpolate", body)

    def test_vietnamese_page_gets_no_english(self) -> None:
        self.client.cookies["django_language"] = "vi"
        body = self.client.get(reverse("core:jsi18n")).content.decode()
        self.assertNotIn('"Legend"', body)
        self.assertIn("django.gettext", body)

    def test_the_catalogue_is_cached_per_language(self) -> None:
        self.client.cookies["django_language"] = "en"
        first = self.client.get(reverse("core:jsi18n"))
        self.assertIn("max-age=86400", first["Cache-Control"])
        self.client.cookies["django_language"] = "vi"
        self.assertNotIn('"Legend"', self.client.get(reverse("core:jsi18n")).content.decode())

    def test_every_page_loads_it_before_the_app_scripts_keyed_by_language(self) -> None:
        page = self.client.get(reverse("portal:index")).content.decode()
        self.assertLess(page.index(reverse("core:jsi18n") + "?l=vi"), page.index("js/app.js"))
        self.client.cookies["django_language"] = "en"
        page = self.client.get(reverse("portal:index")).content.decode()
        self.assertIn(reverse("core:jsi18n") + "?l=en", page)


class CheckTranslationsTests(SimpleTestCase):
    def test_a_javascript_string_without_english_fails_the_check(self) -> None:
        work = Path(self.enterContext(tempfile.TemporaryDirectory()))
        shutil.copytree(ROOT / "mtqg", work / "mtqg", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "static" / "js", work / "static" / "js")
        shutil.copytree(ROOT / "scripts", work / "scripts")
        shutil.copy(ROOT / "manage.py", work / "manage.py")
        with (work / "static" / "js" / "ntm.js").open("a", encoding="utf-8") as js:
            js.write('\nvar extra = gettext("Chuỗi mới chưa có bản dịch");\n')
        run = subprocess.run(
            ["bash", "scripts/check_translations.sh"],
            cwd=work,
            env={**os.environ, "PY": sys.executable},
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("djangojs.po", run.stderr)
        self.assertIn('msgid "Chuỗi mới chưa có bản dịch"', run.stderr)
