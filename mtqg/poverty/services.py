"""Poverty write services (the importer's batch services live in importer.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import path_visible
from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .models import PersonalDataExport


@transaction.atomic
def export_log(*, actor: Any, unit: UnitVersion, reason: str, row_count: int) -> PersonalDataExport:
    """Log an export of personal data: who, which unit, why, how many rows."""
    if not path_visible(actor, unit.path):
        raise PermissionDenied(_("Bạn không có quyền xem đơn vị này."))
    entry = PersonalDataExport.objects.create(unit=unit, user=actor, reason=reason[:255], row_count=row_count)
    record_change(actor=actor, obj=entry, action="exported", changes={"rows": [0, row_count]}, reason=reason)
    return entry
