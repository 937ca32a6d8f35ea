"""Entry forms of the finance screens. Forms only parse input; every rule lives in services.py."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mtqg.core.widgets import IsoDateInput as DateInput
from mtqg.core.widgets import MoneyInput, StyledForm
from mtqg.supervision.models import Recommendation

from .models import Allocation, Indicator


def parse_vnd(raw: str) -> Decimal:
    """'1.234.567' or '1 234 567' (Vietnamese grouping) → Decimal; a comma marks decimals (refused later)."""
    text = raw.strip().replace(" ", "").replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Số tiền không hợp lệ.")) from exc


class DisbursementForm(StyledForm):
    allocation = forms.ModelChoiceField(queryset=Allocation.objects.none(), label=_("Phân bổ vốn"))
    paid_on = forms.DateField(label=_("Ngày giải ngân"), widget=DateInput())
    amount = forms.CharField(label=_("Số tiền (đồng)"), max_length=30, widget=MoneyInput())
    reference = forms.CharField(label=_("Chứng từ"), max_length=120, required=False)
    seen = forms.CharField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allocation"]
        field.queryset = allocations  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: (  # type: ignore[attr-defined]
            f"{a.year}{' (chuyển nguồn)' if a.carry_over else ''} · {a.get_source_display()}"
        )

    def clean_amount(self) -> Decimal:
        return parse_vnd(self.cleaned_data["amount"])

    @staticmethod
    def encode_seen(totals: dict[int, Decimal], allocations: Any) -> str:
        """'pk:total;pk:total' — what was disbursed on each allocation when the form was shown."""
        return ";".join(f"{a.pk}:{int(totals.get(a.pk) or 0)}" for a in allocations)

    def seen_total(self) -> Decimal | None:
        """The disbursed total of the chosen allocation when the form was shown (None if not sent)."""
        alloc = self.cleaned_data.get("allocation")
        for part in (self.cleaned_data.get("seen") or "").split(";"):
            pk, _sep, total = part.partition(":")
            if alloc is not None and pk == str(alloc.pk) and total.isdigit():
                return Decimal(total)
        return None


class ProgressForm(StyledForm):
    reported_on = forms.DateField(label=_("Ngày báo cáo"), widget=DateInput())
    percent = forms.CharField(label=_("Khối lượng hoàn thành (%)"), max_length=5)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class PhotoForm(StyledForm):
    image = forms.FileField(label=_("Ảnh (JPEG/PNG, tối đa 5 MB)"))
    caption = forms.CharField(label=_("Chú thích"), max_length=300, required=False)
    taken_on = forms.DateField(label=_("Ngày chụp"), required=False, widget=DateInput())


class AlertNoteForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput())
    key = forms.CharField(widget=forms.HiddenInput(), max_length=120)
    cause = forms.CharField(label=_("Nguyên nhân"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    proposed_adjustment = forms.CharField(
        label=_("Đề xuất điều chỉnh"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AlertRecommendationForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput())
    key = forms.CharField(widget=forms.HiddenInput(), max_length=120)
    mission = forms.IntegerField(label=_("Đoàn công tác / giám sát"))
    from_party = forms.ChoiceField(
        label=_("Bên kiến nghị"),
        choices=Recommendation.Party.choices,
        initial=Recommendation.Party.DELEGATION,
    )
    to_party = forms.ChoiceField(
        label=_("Bên nhận"), choices=Recommendation.Party.choices, initial=Recommendation.Party.PROVINCE
    )
    deadline = forms.DateField(label=_("Thời hạn"), required=False, widget=DateInput())


class IndicatorValueForm(StyledForm):
    """An entered actual, with one optional category per dimension (choices from data)."""

    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none(), label=_("Chỉ tiêu"))
    commune_code = forms.CharField(label=_("Mã xã"), max_length=10)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Giá trị"), max_digits=18, decimal_places=2)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args: Any, dimensions: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            origin=Indicator.Origin.ENTRY
        )
        self.dimensions = list(dimensions)
        for key, dim in dimensions.items():
            choices = [("", "—"), *dim["values"].items()]
            self.fields[f"dim_{key}"] = forms.ChoiceField(
                label=_("Phân tổ: %(d)s") % {"d": dim["label"]}, choices=choices, required=False
            )
            self.fields[f"dim_{key}"].widget.attrs["class"] = "form-select form-select-sm"

    def disaggregation(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"dim_{k}") or "" for k in self.dimensions}
