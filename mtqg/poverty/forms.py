"""Edit forms (validation only; the services write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mtqg.core.versioning import VersionFormMixin
from mtqg.core.widgets import MoneyField

from .models import MEMBER_FIELDS, REVIEW_FIELDS, Household, Member, Review

CAUSES = [
    ("thieu_von", _("Thiếu vốn sản xuất, kinh doanh")),
    ("thieu_dat", _("Thiếu đất canh tác")),
    ("thieu_lao_dong", _("Thiếu lao động")),
    ("om_dau", _("Có người ốm đau, bệnh nặng")),
    ("thieu_kien_thuc", _("Thiếu kiến thức, kỹ năng sản xuất")),
    ("thieu_viec_lam", _("Thiếu việc làm hoặc việc làm không ổn định")),
    ("khac", _("Nguyên nhân khác")),
]


class HouseholdForm(VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Household
        fields = ["head_name", "address", "village_name", "ethnicity", "area"]


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(MEMBER_FIELDS)
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ReviewForm(VersionFormMixin, forms.ModelForm):
    deprivations = forms.MultipleChoiceField(
        label=_("Chỉ số thiếu hụt"), required=False, widget=forms.CheckboxSelectMultiple
    )
    causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"), required=False, choices=CAUSES, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Lý do sửa"), max_length=255)

    class Meta:
        model = Review
        fields = list(REVIEW_FIELDS)
        widgets = {"approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {
            "income_per_capita_month": MoneyField
        }  # typed and shown as 1.500.000 (decision 0022)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standard = self.instance.standard
        field: Any = self.fields["deprivations"]
        field.choices = [(i["code"], i["name"]) for i in standard.indicators]

    def clean_income_per_capita_month(self) -> Any:
        value = self.cleaned_data["income_per_capita_month"]
        if value is None or value < 0 or value > 1_000_000_000 or value != value.to_integral_value():
            raise forms.ValidationError(_("Thu nhập phải là số nguyên đồng từ 0 đến 1.000.000.000."))
        return value
