"""One base for the API's scoped read viewsets: the queryset is restricted to the user's scope once, here.

A viewset declares its `queryset` (select_related, ordering) like any DRF viewset; `get_queryset()` restricts it
with `visible_to(request.user)` (accounts/scoping.py) before anything else, as NetBox's BaseViewSet restricts its
queryset before the action runs. What depends on the request (a prefetch for the detail, a query parameter that is
not a filterset field) goes in `refine_queryset()`, which only ever sees rows already in scope.
Reference data (programs, criteria sets, standards) is the same for every signed-in user and keeps DRF's plain
ReadOnlyModelViewSet; api/tests/test_viewsets.py checks that every viewset over a model with `scope_path` is scoped.
"""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated


class ScopedViewSetMixin:
    """get_queryset() = the declared `queryset`, restricted to what the user may see, then refine_queryset()."""

    queryset: Any
    request: Any

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]  # DRF clones the class-level queryset
        return self.refine_queryset(queryset.visible_to(self.request.user))

    def refine_queryset(self, queryset: Any) -> Any:
        """Per-request narrowing of rows already in scope (never a way around the scope)."""
        return queryset


class ScopedReadOnlyModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of a scoped model; an out-of-scope id is the same 404 as an absent one. Signed-in users only,
    whatever the default permission in settings."""

    permission_classes = [IsAuthenticated]
