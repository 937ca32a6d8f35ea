"""Which unit paths a user may see or edit: their active assignments, turned into path prefixes.

The filtering itself (``ScopedQuerySet``, ``get_visible_or_404``, ``ensure_can_edit``…) lives in
``mtqg.core.scoping``; it calls ``paths_for`` through ``settings.MTQG_SCOPE_PATHS``.

``paths_for`` runs once per request (cached on the user object) and reads the database every time: one query
(decision 0821) that walks the assignments, every version of each assigned unit's identity and their lineage
predecessors (``geo.selectors.lineage_scope_paths``, the same closure, one query per step). Nothing is cached
across requests, so an assignment or lineage change — through a service, the admin, a bulk update or a restore —
counts from the next request.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from mtqg.accounts.models import Assignment
from mtqg.core.scoping import ALL, ScopePaths
from mtqg.geo.models import UnitLineage, UnitVersion

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


@cache
def _scope_sql(vendor: str) -> str:
    """Each active assignment of a user (role, access) × every path it covers: the versions of the assigned
    unit's identity, then, recursively, their lineage predecessors (UNION: each version once, cycles end). Per
    database vendor (the quoting)."""
    qn = connection.ops.quote_name
    a, v, e = (qn(m._meta.db_table) for m in (Assignment, UnitVersion, UnitLineage))
    return f"""
        WITH RECURSIVE covered(assignment_id, version_id) AS (
            SELECT held.{qn("id")}, same.{qn("id")}
            FROM {a} held
            JOIN {v} assigned ON assigned.{qn("id")} = held.{qn("unit_id")}
            JOIN {v} same ON same.{qn("unit_id")} = assigned.{qn("unit_id")}
            WHERE held.{qn("user_id")} = %s
              AND (held.{qn("valid_from")} IS NULL OR held.{qn("valid_from")} <= %s)
              AND (held.{qn("valid_to")} IS NULL OR held.{qn("valid_to")} >= %s)
          UNION
            SELECT covered.assignment_id, edge.{qn("predecessor_id")}
            FROM covered JOIN {e} edge ON edge.{qn("successor_id")} = covered.version_id
        )
        SELECT held.{qn("role")}, held.{qn("access")}, unit.{qn("path")}
        FROM covered
        JOIN {a} held ON held.{qn("id")} = covered.assignment_id
        JOIN {v} unit ON unit.{qn("id")} = covered.version_id
    """


def _compute(user: Any) -> ScopePaths:
    today = _today()
    view: set[str] = set()
    edit: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(_scope_sql(connection.vendor), [user.pk, today, today])
        rows = cursor.fetchall()
    for role, access, path in rows:
        held = Assignment(role=role, access=access)
        paths = {""} if role == Assignment.Role.ADMIN else {path}
        view |= paths
        if held.can_edit:
            edit |= paths
    return tuple(sorted(_minimal(view))), tuple(sorted(_minimal(edit)))


def _minimal(prefixes: set[str]) -> set[str]:
    """Drop prefixes covered by a shorter one."""
    kept: set[str] = set()
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.add(p)
    return kept
