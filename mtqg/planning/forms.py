"""The scenario form: budget and amounts in triệu đồng, shares in %, rules as short text; builds the rules JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mtqg.core.widgets import IsoDateInput, MoneyField, StyledFormMixin
from mtqg.geo.models import UnitVersion

from .models import Scenario
from .optimiser import FLAGS, MILLION

SHARE_LABELS = {
    "poor_district": _("Tối thiểu cho huyện nghèo (%)"),
    "p135": _("Tối thiểu cho xã Chương trình 135 (%)"),
    "border": _("Tối thiểu cho xã biên giới (%)"),
    "em3": _("Tối thiểu cho xã khu vực III (%)"),
}


class ScenarioForm(StyledFormMixin, forms.Form):
    province = forms.ModelChoiceField(queryset=UnitVersion.objects.none(), label=_("Địa bàn"))
    name = forms.CharField(label=_("Tên kịch bản"), max_length=150)
    as_of = forms.DateField(label=_("Hiện trạng tính đến ngày"), widget=IsoDateInput())
    budget_million = MoneyField(label=_("Ngân sách (triệu đồng)"), max_digits=15)
    horizon_from = forms.IntegerField(
        label=_("Kế hoạch từ năm"), min_value=2016, max_value=2100, required=False
    )
    horizon_to = forms.IntegerField(label=_("đến năm"), min_value=2016, max_value=2100, required=False)
    mode = forms.ChoiceField(
        label=_("Mức mô hình"), choices=Scenario.Mode.choices, initial=Scenario.Mode.CRITERION
    )
    objective = forms.ChoiceField(label=_("Mục tiêu"), choices=Scenario.Objective.choices)
    min_share_poor_district = forms.DecimalField(label=SHARE_LABELS["poor_district"], required=False)
    min_share_p135 = forms.DecimalField(label=SHARE_LABELS["p135"], required=False)
    min_share_border = forms.DecimalField(label=SHARE_LABELS["border"], required=False)
    min_share_em3 = forms.DecimalField(label=SHARE_LABELS["em3"], required=False)
    max_area_share = forms.DecimalField(label=_("Mỗi huyện/khu vực không quá (%)"), required=False)
    min_per_commune_million = MoneyField(
        label=_("Mức đầu tư tối thiểu mỗi xã được chọn (triệu đồng)"), required=False
    )
    together = forms.CharField(
        label=_("Tiêu chí phải làm cùng nhau"), required=False, help_text=_("Ví dụ: 2+3; 5+6")
    )
    ledger_committed = forms.BooleanField(
        label=_(
            "Tính các công trình đã có trong sổ công trình (kế hoạch, phê duyệt, đang thi công) trong kỳ"
        ),
        required=False,
        initial=True,
    )
    committed = forms.CharField(
        label=_("Cam kết thêm ngoài sổ công trình (mã xã:số tiêu chí)"),
        required=False,
        help_text=_("Ví dụ: 03160:8, 03163:2"),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = (  # type: ignore[attr-defined]
            UnitVersion.objects.editable_by(user)
            .filter(level__lte=UnitVersion.Level.PROVINCE)
            .order_by("level", "structure", "name")
        )
        self.fields["province"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.name} ({u.get_structure_display()})"
        )

    def clean_budget_million(self) -> Decimal:
        value: Decimal = self.cleaned_data["budget_million"]
        if value < 0:
            raise forms.ValidationError(_("Ngân sách không được âm."))
        return value

    def _percent(self, key: str) -> str | None:
        value = self.cleaned_data.get(key)
        if value is None:
            return None
        if not Decimal(0) <= value <= Decimal(100):
            self.add_error(key, _("Tỷ lệ phải từ 0 đến 100%."))
            return None
        return str(value / 100)

    def rules(self) -> dict[str, Any]:
        """The rules JSON (same shape as the API and the data file)."""
        data = self.cleaned_data
        shares = {f: s for f in FLAGS if (s := self._percent(f"min_share_{f}")) and Decimal(s) > 0}
        rules: dict[str, Any] = {"min_shares": shares}
        if (area := self._percent("max_area_share")) is not None:
            rules["max_area_share"] = area
        if data.get("min_per_commune_million"):
            rules["min_per_commune"] = int(data["min_per_commune_million"]) * MILLION
        together = []
        for part in (data.get("together") or "").replace(",", ";").split(";"):
            numbers = [p.strip() for p in part.split("+") if p.strip()]
            if numbers:
                together.append(numbers)
        rules["together"] = together
        committed = []
        for part in (data.get("committed") or "").replace(";", ",").split(","):
            if part.strip():
                code, _sep, number = part.partition(":")
                committed.append([code.strip(), number.strip()])
        rules["committed"] = committed
        rules["ledger_committed"] = bool(data.get("ledger_committed"))
        start, end = data.get("horizon_from"), data.get("horizon_to")
        if start or end:
            rules["horizon"] = [start or end, end or start]
        return rules

    @property
    def budget(self) -> int:
        return int(self.cleaned_data["budget_million"]) * MILLION
