"""Dashboard filters (program, year, mode) validated with Vietnamese messages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import CURRENT, REPORTED

PROGRAM_CHOICES = [
    ("", _("Tất cả chương trình")),
    ("ntm", _("Nông thôn mới")),
    ("poverty", _("Giảm nghèo bền vững")),
    ("em", _("Vùng đồng bào DTTS và miền núi")),
    ("hn2026", _("Chương trình hợp nhất 2026-2035")),
]
MODE_CHOICES = [(REPORTED, _("Theo đơn vị tại thời điểm báo cáo")), (CURRENT, _("Quy về đơn vị hiện nay"))]


class FilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2016,
        error_messages={"invalid": _("Năm không hợp lệ."), "min_value": _("Năm phải từ 2016 trở đi.")},
    )
    program = forms.ChoiceField(
        label=_("Chương trình"),
        choices=PROGRAM_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Chương trình không hợp lệ.")},
    )
    mode = forms.ChoiceField(
        label=_("Cách tính theo địa giới"),
        choices=MODE_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Cách tính không hợp lệ.")},
    )

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("Năm không được sau năm hiện tại."))
        return year
