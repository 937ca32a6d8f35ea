"""Optimistic versions for records two people can edit at once (decision 0909).

A versioned model has `version = PositiveIntegerField(default=1)`. An edit form carries the version it was opened
at; the service calls `version_claim(obj, expected, changes)` inside its transaction before saving. The claim is
one conditional UPDATE (`… SET version = version + 1 WHERE id = … AND version = expected`), atomic on SQLite and
PostgreSQL alike: if someone saved in between, nothing is written and `StaleEdit` (a ValidationError, code
"stale") carries the other person's changes field by field, read from the ChangeRecords written since (each
versioned write records `"version": [old, new]`). The API answers it with 409.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record_change, snapshot
from .models import ChangeRecord

MAX_SHOWN = 12  # fields listed in the message


def _label(model: type[models.Model], field: str) -> str:
    try:
        return str(getattr(model._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


def _show(value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def changes_since(obj: models.Model, version: int) -> list[ChangeRecord]:
    """The ChangeRecords of obj that moved its version past `version`, oldest first."""
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")
    out = []
    for record in records.order_by("at", "pk"):
        moved = record.changes.get("version") if isinstance(record.changes, dict) else None
        if isinstance(moved, list) and len(moved) == 2 and isinstance(moved[1], int) and moved[1] > version:
            out.append(record)
    return out


class StaleEdit(ValidationError):
    """Someone saved the record after this form was opened. `changes`: {field: [old, new]} of theirs; `current`:
    the version now saved (a form re-opened at it may save again)."""

    def __init__(self, obj: models.Model, expected: int) -> None:
        model = type(obj)
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        self.current = int(current or 0)
        self.changes: dict[str, list[Any]] = {}
        who: list[str] = []
        when = None
        for record in changes_since(obj, expected):
            name = str(record.actor) if record.actor else _("hệ thống")
            if name not in who:
                who.append(name)
            when = record.at
            for field, (old, new) in record.changes.items():
                if field == "version":
                    continue
                first = self.changes.get(field, [old, new])[0]
                self.changes[field] = [first, new]
        lines = [
            _("%(f)s: %(old)s → %(new)s") % {"f": _label(model, f), "old": _show(v[0]), "new": _show(v[1])}
            for f, v in list(self.changes.items())[:MAX_SHOWN]
        ]
        message = _(
            "Không lưu: %(who)s đã sửa bản ghi này%(when)s sau khi bạn mở biểu mẫu (phiên bản %(old)s → %(new)s). "
            "Thay đổi của họ: %(changes)s. Dữ liệu bạn nhập vẫn còn trên biểu mẫu và chưa ghi đè gì; hãy xem lại "
            "rồi bấm lưu lần nữa."
        ) % {
            "who": ", ".join(who) or _("người khác"),
            "when": (" " + _("lúc %(t)s") % {"t": timezone.localtime(when).strftime("%H:%M %d/%m/%Y")})
            if when
            else "",
            "old": expected,
            "new": self.current,
            "changes": "; ".join(lines) or _("không rõ trường"),
        }
        super().__init__(message, code="stale")


def version_claim(obj: models.Model, expected: int | None, changes: dict[str, list[Any]]) -> None:
    """Move obj's version on by one if it is still `expected` (None: whatever it is, e.g. a system job); else
    raise StaleEdit. Adds `"version": [old, new]` to `changes` (for the caller's ChangeRecord) and sets
    obj.version. Call inside the service's transaction, before obj.save()."""
    model = type(obj)
    qs = model._default_manager.filter(pk=obj.pk)
    if expected is not None:
        qs = qs.filter(version=expected)
    if not qs.update(version=F("version") + 1):
        raise StaleEdit(obj, expected if expected is not None else 0)
    new = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).get()
    obj.version = new  # type: ignore[attr-defined]
    changes["version"] = [new - 1, new]


def versioned_save(
    obj: models.Model,
    *,
    actor: Any,
    expected: int | None,
    changes: dict[str, list[Any]],
    action: str = "update",
    update_fields: list[str] | None = None,
    clean: bool = False,
) -> None:
    """One versioned write: claim the version (StaleEdit if someone saved since `expected`), validate when asked,
    save, and write the change record. Call inside the service's transaction."""
    version_claim(obj, expected, changes)
    if clean:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    record_change(actor=actor, obj=obj, action=action, changes=changes)


def parse_version(raw: Any) -> int | None:
    """A version sent by a form or an API client: a positive integer, or None when absent."""
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise ValidationError({"version": _("Phiên bản không hợp lệ.")}) from exc
    if value < 1:
        raise ValidationError({"version": _("Phiên bản không hợp lệ.")})
    return value


class VersionFormMixin:
    """For an edit form: a hidden `version` (the one the form was opened at). After a StaleEdit the field moves to
    the version now saved, so that the user — having seen the other change — can save on purpose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        form: Any = self
        form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
        instance = getattr(form, "instance", None)
        if instance is not None and getattr(instance, "pk", None):
            form.initial.setdefault("version", instance.version)

    def pop_version(self) -> int | None:
        form: Any = self
        return form.cleaned_data.pop("version", None)

    def stale(self, exc: StaleEdit) -> None:
        form: Any = self
        form.add_error(None, exc)
        data = form.data.copy()
        data["version"] = exc.current
        form.data = data


class VersionedAdminForm(forms.ModelForm):
    """Admin change form of a versioned model: the hidden version is checked in clean() (a Vietnamese error naming
    the other person's changes), so a stale form is refused before anything is saved."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", getattr(self.instance, "version", 1))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expected = data.get("version")
        if self.instance.pk and expected is not None:
            model = type(self.instance)
            current = (
                model._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            if current != expected:
                exc = StaleEdit(self.instance, expected)
                data_copy: Any = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict: re-render at the saved version
                data_copy["version"] = exc.current
                self.data = data_copy
                raise exc
        return data


class VersionedAdminMixin:
    """ModelAdmin of a versioned model: claims the version and writes a ChangeRecord with the changed fields in
    the admin's transaction (the admin's own history keeps only field names)."""

    form: Any = VersionedAdminForm
    exclude: Any = ["version"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            record_change(actor=request.user, obj=obj, action="created", changes={})
            return
        fields = [f for f in form.changed_data if f != "version"]
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
        changes = {f: [before[f], v] for f, v in snapshot(obj, fields).items() if before[f] != v}
        if changes:
            version_claim(obj, form.cleaned_data.get("version"), changes)
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if changes:
            record_change(actor=request.user, obj=obj, action="updated", changes=changes)
