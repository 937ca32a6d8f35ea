"""Forms of the supervision screens. They only parse input; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mtqg.core.versioning import VersionFormMixin
from mtqg.core.widgets import StyledFormMixin
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code

from .models import Attachment, Finding, Mission, Recommendation
from .services import MISSION_FIELDS
from .themes import theme_choices

PROGRAMS = [
    ("NTM", _("Nông thôn mới")),
    ("GNBV", _("Giảm nghèo bền vững")),
    ("DTTS", _("Vùng đồng bào DTTS&MN")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _unit(code: str, on: Any, field: str) -> UnitVersion:
    try:
        return unit_by_code(code, on)
    except UnitNotFound as exc:
        raise forms.ValidationError({field: str(exc)}) from exc


class MissionForm(VersionFormMixin, StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại đoàn"), choices=Mission.Kind.choices)
    organiser = forms.ChoiceField(label=_("Cơ quan tổ chức"), choices=Mission.Organiser.choices)
    organiser_name = forms.CharField(label=_("Tên cơ quan tổ chức"), max_length=300, required=False)
    title = forms.CharField(label=_("Tên đoàn"), max_length=300)
    leader = forms.CharField(label=_("Trưởng đoàn"), max_length=300)
    members = forms.CharField(label=_("Thành viên"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    unit_code = forms.CharField(label=_("Mã đơn vị làm việc"), max_length=20)
    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=DATE)
    end_date = forms.DateField(label=_("Ngày kết thúc"), widget=DATE, required=False)
    programs = forms.MultipleChoiceField(
        label=_("Chương trình"), choices=PROGRAMS, required=False, widget=forms.CheckboxSelectMultiple
    )
    agenda = forms.CharField(
        label=_("Nội dung làm việc"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    source = forms.CharField(label=_("Nguồn"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit_code") and data.get("start_date"):
            data["unit"] = _unit(data["unit_code"], data["start_date"], "unit_code")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("unit_code", None)
        data.pop("version", None)  # passed as expected_version
        return data

    @classmethod
    def initial_for(cls, mission: Mission) -> dict[str, Any]:
        initial = {f: getattr(mission, f) for f in MISSION_FIELDS if f != "unit"}
        initial.update(unit_code=mission.unit.code, version=mission.version)
        return initial


class FindingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=Finding.Kind.choices)
    raised_by = forms.ChoiceField(label=_("Bên nêu"), choices=Finding.RaisedBy.choices)
    theme = forms.ChoiceField(label=_("Chủ đề"), choices=())
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence_ref = forms.CharField(label=_("Dẫn chứng (mã báo cáo, chỉ tiêu, danh sách xã)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = theme_choices()  # type: ignore[attr-defined]


class RecommendationForm(StyledFormMixin, forms.Form):
    from_party = forms.ChoiceField(label=_("Bên kiến nghị"), choices=Recommendation.Party.choices)
    from_name = forms.CharField(label=_("Tên bên kiến nghị"), max_length=300, required=False)
    to_party = forms.ChoiceField(label=_("Bên nhận"), choices=Recommendation.Party.choices)
    to_name = forms.CharField(label=_("Tên bên nhận"), max_length=300, required=False)
    theme = forms.ChoiceField(label=_("Chủ đề"), choices=())
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Thời hạn"), widget=DATE, required=False)
    responsible_code = forms.CharField(label=_("Mã đơn vị chịu trách nhiệm"), max_length=20, required=False)
    responsible_name = forms.CharField(label=_("Cơ quan chủ trì"), max_length=300, required=False)

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["theme"].choices = theme_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.pop("responsible_code", "") or "").strip()
        data["responsible_unit"] = _unit(code, self.mission.start_date, "responsible_code") if code else None
        return data


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=Attachment.Kind.choices)
    caption = forms.CharField(label=_("Mô tả"), max_length=300, required=False)
    file = forms.FileField(label=_("Tệp (PDF, DOCX, JPEG, PNG)"))
