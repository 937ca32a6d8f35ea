"""Entry forms of the OCOP screens: they only parse input; every rule (scores, council, validity, URL, money,
scope) lives in services.py and comes back as a Vietnamese ValidationError."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mtqg.core.widgets import IsoDateInput as DateInput
from mtqg.core.widgets import MoneyInput, StyledForm

from .models import ProductGroup, Rating, SalesChannel, Subject


def parse_money(raw: str) -> Decimal | None:
    """'1.250.000' (Vietnamese grouping) → Decimal; empty → None; the service refuses fractions/negatives."""
    text = (raw or "").strip().replace(" ", "").replace(".", "").replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Số tiền không hợp lệ.")) from exc


class SubjectForm(StyledForm):
    name = forms.CharField(label=_("Tên chủ thể"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại hình"), choices=Subject.Kind.choices)
    commune_code = forms.CharField(label=_("Mã xã"), max_length=10)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Người liên hệ"), max_length=150, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False)


class ProductForm(StyledForm):
    name = forms.CharField(label=_("Tên sản phẩm"), max_length=200)
    group = forms.ModelChoiceField(label=_("Nhóm / phân nhóm"), queryset=ProductGroup.objects.none())
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photo = forms.FileField(label=_("Ảnh (JPG, PNG, WebP, tối đa 2 MB)"), required=False)
    is_published = forms.BooleanField(label=_("Công khai trên danh mục"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        field.queryset = ProductGroup.objects.select_related("parent").order_by("code")  # type: ignore[attr-defined]
        field.label_from_instance = lambda g: (  # type: ignore[attr-defined]
            f"{g.code} · {g.parent.name} / {g.name}" if g.parent_id else f"{g.code} · {g.name}"
        )


def parse_criteria(raw: str) -> dict[str, int]:
    """'A1=10; A2=8' → {"A1": 10, "A2": 8}."""
    result: dict[str, int] = {}
    for item in (raw or "").replace("\n", ";").split(";"):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip().lstrip("-").isdigit():
            raise ValidationError(_("Điểm tiêu chí ghi dạng “A1=10; A2=8”."))
        result[name.strip()] = int(value.strip())
    return result


class RatingForm(StyledForm):
    round_year = forms.IntegerField(label=_("Năm đánh giá"))
    round_label = forms.CharField(label=_("Đợt"), max_length=60, required=False)
    score_a = forms.IntegerField(label=_("Điểm phần A"))
    score_b = forms.IntegerField(label=_("Điểm phần B"))
    score_c = forms.IntegerField(label=_("Điểm phần C"))
    criteria_a = forms.CharField(label=_("Tiêu chí phần A (tùy chọn)"), required=False, max_length=500)
    criteria_b = forms.CharField(label=_("Tiêu chí phần B (tùy chọn)"), required=False, max_length=500)
    criteria_c = forms.CharField(label=_("Tiêu chí phần C (tùy chọn)"), required=False, max_length=500)
    council_level = forms.ChoiceField(label=_("Cấp hội đồng"), choices=Rating.CouncilLevel.choices)
    decision_number = forms.CharField(label=_("Số quyết định công nhận"), max_length=60, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("Hiệu lực đến (để trống: 36 tháng)"), required=False, widget=DateInput()
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criteria: dict[str, dict[str, int]] = {}
        for part in ("a", "b", "c"):
            try:
                parsed = parse_criteria(data.get(f"criteria_{part}", ""))
            except ValidationError as exc:
                self.add_error(f"criteria_{part}", exc)
                continue
            if parsed:
                criteria[part.upper()] = parsed
        data["criteria"] = criteria
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "round_year": d["round_year"],
            "round_label": d["round_label"],
            "scores": {"A": d["score_a"], "B": d["score_b"], "C": d["score_c"]},
            "criteria": d["criteria"] or None,
            "council_level": d["council_level"],
            "decision_number": d["decision_number"],
            "decision_date": d["decision_date"],
            "valid_to": d["valid_to"],
            "note": d["note"],
        }


class ChannelForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kênh"), choices=SalesChannel.Kind.choices)
    name = forms.CharField(label=_("Tên sàn / cửa hàng / đối tác"), max_length=150)
    url = forms.CharField(label=_("Đường dẫn gian hàng"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=SalesChannel.Status.choices)
    listed_on = forms.DateField(label=_("Ngày bắt đầu"), required=False, widget=DateInput())
    promotion_program = forms.CharField(
        label=_("Chương trình hỗ trợ quảng bá"), max_length=200, required=False
    )
    promotion_amount = forms.CharField(
        label=_("Kinh phí hỗ trợ (đồng)"), max_length=30, required=False, widget=MoneyInput()
    )
    sales_year = forms.IntegerField(label=_("Năm doanh số"), required=False)
    sales_amount = forms.CharField(
        label=_("Doanh số (đồng)"), max_length=30, required=False, widget=MoneyInput()
    )

    def clean_promotion_amount(self) -> Decimal | None:
        return parse_money(self.cleaned_data["promotion_amount"])

    def clean_sales_amount(self) -> Decimal | None:
        return parse_money(self.cleaned_data["sales_amount"])
