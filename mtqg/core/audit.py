"""record_change(): the explicit audit call every service makes inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import ChangeRecord


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of obj (foreign keys as their str()) to diff later."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def unit_path_of(obj: models.Model) -> str:
    """The scope path of obj, following its model's `scope_path` declaration."""
    path_expr = getattr(type(obj), "scope_path", "")
    value: Any = obj
    for part in path_expr.split("__") if path_expr else []:
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value if isinstance(value, str) else ""


def acting_user(actor: Any) -> Any:
    """The user to store in a row's "by" field: the actor when signed in, else None (a command, a seed, anonymous)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    unit_path: str | None = None,
) -> ChangeRecord:
    """Write one change record; must run inside the caller's transaction (atomic block)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change() must be called inside transaction.atomic")
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        unit_path=unit_path if unit_path is not None else unit_path_of(obj),
        actor=acting_user(actor),
        action=action,
        changes={k: [_plain(v) for v in vals] for k, vals in (changes or {}).items()},
        reason=reason,
    )


def history_for(obj: models.Model, user: Any) -> models.QuerySet[ChangeRecord]:
    """Change records of one object, filtered by the user's scope like any other list."""
    ct = ContentType.objects.get_for_model(type(obj))
    return (
        ChangeRecord.objects.visible_to(user)
        .filter(content_type=ct, object_id=str(obj.pk))
        .select_related("actor")
    )
