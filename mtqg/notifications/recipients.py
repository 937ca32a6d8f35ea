"""Who should hear about a unit: active users whose scope covers its path (the one scoping mechanism)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from mtqg.accounts.models import Assignment, User
from mtqg.core.scoping import path_editable, path_visible


def users_covering(
    path: str,
    *,
    roles: Iterable[str] | None = None,
    access: str | None = None,
    on: date | None = None,
) -> list[Any]:
    """Active users with an assignment of one of `roles` valid on `on` whose scope covers `path`
    (access="entry" → only those who may edit it)."""
    on = on or timezone.localdate()
    assignments = Assignment.objects.filter(user__is_active=True)
    assignments = assignments.filter(valid_from__isnull=True) | assignments.filter(valid_from__lte=on)
    assignments = assignments.filter(valid_to__isnull=True) | assignments.filter(valid_to__gte=on)
    if roles is not None:
        assignments = assignments.filter(role__in=list(roles))
    user_ids = set(assignments.values_list("user_id", flat=True))
    check = path_editable if access == Assignment.Access.ENTRY else path_visible
    return [u for u in User.objects.filter(pk__in=user_ids).order_by("pk") if check(u, path)]
