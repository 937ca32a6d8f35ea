"""Which unit paths a user may see or edit: their active assignments, turned into path prefixes.

The filtering itself (``ScopedQuerySet``, ``get_visible_or_404``, ``ensure_can_edit``…) lives in
``mtqg.core.scoping``; it calls ``paths_for`` through ``settings.MTQG_SCOPE_PATHS``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from mtqg.accounts.models import Assignment
from mtqg.core.scoping import ALL, ScopePaths

NONE: ScopePaths = ((), ())


def _today() -> date:
    return timezone.localdate()


def paths_for(user: Any) -> ScopePaths:
    """(view prefixes, edit prefixes) of the user's active assignments; computed at once and cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NONE
    if user.is_superuser:
        return (ALL, ALL)
    cached: ScopePaths | None = getattr(user, "_scope_cache", None)
    if cached is None:
        cached = _compute(user)
        user._scope_cache = cached
    return cached


def _compute(user: Any) -> ScopePaths:
    view: set[str] = set()
    edit: set[str] = set()
    for assignment in Assignment.objects.active_for(user, _today()).select_related("unit"):
        paths = {""} if assignment.role == Assignment.Role.ADMIN else assignment.scope_prefixes()
        view |= paths
        if assignment.can_edit:
            edit |= paths
    return tuple(sorted(_minimal(view))), tuple(sorted(_minimal(edit)))


def _minimal(prefixes: set[str]) -> set[str]:
    """Drop prefixes covered by a shorter one."""
    kept: set[str] = set()
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.add(p)
    return kept
