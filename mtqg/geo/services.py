"""Writes to administrative units and classifications (each audited in the same transaction)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.text import fold

from .models import PATH_SEGMENT, AdministrativeUnit, ClassificationScheme, UnitClassification, UnitVersion

# Which parent level each level may hang under, per structure (no district level after the reform).
ALLOWED_PARENT_LEVEL: dict[str, dict[int, int]] = {
    "pre2025": {1: 0, 2: 1, 3: 2, 4: 3},
    "2025": {1: 0, 3: 1, 4: 3},
}


def segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT}d}/"


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else _("không rõ")


def validate_placement(
    *, structure: str, level: int, parent: UnitVersion | None, valid_from: date | None, valid_to: date | None
) -> None:
    """A unit must hang under a parent of the right level and structure, inside the parent's validity."""
    allowed = ALLOWED_PARENT_LEVEL.get(structure, {})
    if parent is None:
        raise ValidationError({"parent": _("Đơn vị phải có đơn vị cấp trên.")})
    if (
        level not in allowed
        or parent.level != allowed[level]
        or parent.structure not in (structure, "national")
    ):
        raise ValidationError(
            {
                "parent": _("Không thể đặt %(level)s dưới %(parent)s (%(parent_level)s) trong hệ đơn vị này.")
                % {
                    "level": UnitVersion.Level(level).label,
                    "parent": parent.name,
                    "parent_level": UnitVersion.Level(parent.level).label,
                }
            }
        )
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
    starts_before = valid_from is None or (parent.valid_from is not None and valid_from < parent.valid_from)
    if parent.valid_from is not None and starts_before:
        raise ValidationError(
            {
                "valid_from": _("Ngày hiệu lực nằm ngoài thời gian hiệu lực của đơn vị cấp trên (từ %(d)s).")
                % {"d": _fmt(parent.valid_from)}
            }
        )
    ends_after = valid_to is None or (parent.valid_to is not None and valid_to > parent.valid_to)
    if parent.valid_to is not None and ends_after:
        raise ValidationError(
            {
                "valid_to": _(
                    "Ngày hết hiệu lực nằm ngoài thời gian hiệu lực của đơn vị cấp trên (đến %(d)s)."
                )
                % {"d": _fmt(parent.valid_to)}
            }
        )


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: UnitVersion,
    code: str,
    name: str,
    level: int,
    kind: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    legal_basis: str = "",
    identity: AdministrativeUnit | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    structure: str | None = None,
) -> UnitVersion:
    """Create a unit version (e.g. a village under a commune) under a parent the actor may edit."""
    ensure_can_edit(actor, parent.path)
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError(_("Mã và tên đơn vị là bắt buộc."))
    structure = structure or parent.structure
    validate_placement(
        structure=structure, level=level, parent=parent, valid_from=valid_from, valid_to=valid_to
    )
    if UnitVersion.objects.filter(structure=structure, level=level, code=code).exists():
        raise ValidationError({"code": _("Mã đơn vị %(code)s đã tồn tại.") % {"code": code}})
    unit = UnitVersion(
        unit=identity or AdministrativeUnit.objects.create(name=name.strip()),
        structure=structure,
        code=code,
        name=name.strip(),
        search_name=fold(name),
        level=level,
        kind=kind,
        parent=parent,
        path=f"tmp-{uuid.uuid4().hex}",
        valid_from=valid_from,
        valid_to=valid_to,
        legal_basis=legal_basis,
        latitude=latitude,
        longitude=longitude,
    )
    unit.save()
    unit.path = parent.path + segment(unit.pk)
    unit.save(update_fields=["path"])
    record_change(
        actor=actor,
        obj=unit,
        action="created",
        changes={"code": [None, code], "name": [None, unit.name], "parent": [None, parent.name]},
    )
    return unit


@transaction.atomic
def classification_set(
    *,
    actor: Any,
    unit: UnitVersion,
    scheme: ClassificationScheme,
    value: str,
    valid_from: date | None,
    valid_to: date | None = None,
    legal_basis: str = "",
    unconfirmed: bool = False,
) -> UnitClassification:
    """Set (or update) a unit's classification for a period starting on valid_from."""
    ensure_can_edit(actor, unit.path)
    if value not in scheme.values:
        raise ValidationError(
            {"value": _("Giá trị '%(v)s' không thuộc danh mục %(s)s.") % {"v": value, "s": scheme.name}}
        )
    if unit.level != scheme.applies_to_level:
        raise ValidationError(
            {
                "unit": _("Phân loại %(s)s không áp dụng cho cấp %(l)s.")
                % {"s": scheme.name, "l": UnitVersion.Level(unit.level).label}
            }
        )
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
    if (valid_from and not unit.valid_on(valid_from)) or (valid_to and not unit.valid_on(valid_to)):
        raise ValidationError(
            {
                "valid_from": _("Thời gian phân loại nằm ngoài thời gian hiệu lực của đơn vị %(u)s.")
                % {"u": unit.name}
            }
        )
    entry = UnitClassification.objects.filter(unit=unit, scheme=scheme, valid_from=valid_from).first()
    before = (
        {"value": entry.value, "valid_to": entry.valid_to} if entry else {"value": None, "valid_to": None}
    )
    if entry is None:
        entry = UnitClassification(unit=unit, scheme=scheme, valid_from=valid_from)
    entry.value, entry.valid_to, entry.legal_basis, entry.unconfirmed = (
        value,
        valid_to,
        legal_basis,
        unconfirmed,
    )
    entry.save()
    changes = {
        k: [before[k], getattr(entry, k)] for k in ("value", "valid_to") if before[k] != getattr(entry, k)
    }
    record_change(
        actor=actor, obj=entry, action="created" if before["value"] is None else "updated", changes=changes
    )
    return entry
