"""Raw inserts of the synthetic country: a model's column list with the constant tail of its defaults."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from . import bulk


class Row:
    """Column list and constant tail for raw inserts: the caller supplies the varying leading values."""

    def __init__(self, model: type[models.Model], varying: Sequence[str]) -> None:
        fields = {f.name: f for f in model._meta.concrete_fields}
        self.model = model
        self.columns: list[str] = [str(fields[name].column) for name in varying]
        tail: list[Any] = []
        now = timezone.now()
        for f in model._meta.concrete_fields:
            if f.name in varying or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            else:
                value = f.get_default()
            if isinstance(f, models.JSONField):
                value = json.dumps(value if value is not None else {})
            self.columns.append(str(f.column))
            tail.append(value)
        self.tail = tuple(tail)

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        tail = self.tail
        return bulk.insert(self.model, self.columns, (tuple(r) + tail for r in rows))
