"""One form rendering (decision 0056): every template renders a Django form through core/_form.html, which shows
labels, the required mark, help text, errors and hidden fields."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]  # mtqg/
OWN_LOOP = re.compile(r"field\.errors|\.as_div|\.as_p\b|\.as_table|\.as_ul")
ALLOWED = {"templates/core/_field.html", "templates/core/_form.html"}


class SampleForm(forms.Form):
    name = forms.CharField(label="Tên công trình")
    note = forms.CharField(label="Ghi chú", required=False, help_text="Không bắt buộc")
    done = forms.BooleanField(label="Hoàn thành", required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        raise forms.ValidationError("Số liệu đã thay đổi.")


class FormRenderingTests(SimpleTestCase):
    def test_no_template_renders_fields_itself(self) -> None:
        offenders = []
        for path in ROOT.rglob("templates/**/*.html"):
            rel = path.relative_to(ROOT).as_posix()
            rel = rel[rel.index("templates/") :]
            if rel not in ALLOWED and OWN_LOOP.search(path.read_text(encoding="utf-8")):
                offenders.append(rel)
        self.assertEqual(offenders, [])

    def test_form_shows_labels_marks_help_errors_and_hidden_fields(self) -> None:
        form = SampleForm(data={"name": "", "seen": "x"})
        form.is_valid()
        html = render_to_string("core/_form.html", {"form": form, "col": "col-md-4"})
        self.assertIn("Tên công trình *</label>", html)
        self.assertIn("Ghi chú</label>", html)  # not required: no mark
        self.assertIn('<div class="form-text">Không bắt buộc</div>', html)
        self.assertIn('class="text-danger small" role="alert"', html)
        self.assertIn(
            '<div class="alert alert-danger py-2" role="alert"><div>Số liệu đã thay đổi.</div>', html
        )
        self.assertIn('type="hidden" name="seen" value="x"', html)
        self.assertIn('class="col-12 form-check ms-2"', html)  # the checkbox after its box
        self.assertEqual(html.count('class="col-md-4"'), 2)
