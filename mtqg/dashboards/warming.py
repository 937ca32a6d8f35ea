"""Warming the dashboards' page cache after a refresh (decision 0820).

A refresh under a province bumps its facts stamp, so every cached page that reads the stamp (the province, its
communes, the country) is a miss for the next reader, and a miss costs 4-5 times a hit. `pages_warm(path)` renders
those pages once, in the background job the refresh enqueues, through the view's own code path (`views._page`), so
what a reader then gets is byte for byte what a cold request would have computed.

Scoping stays exact: the page key holds the user's view prefixes, so a page is warmed once per distinct set of
prefixes among the users holding an active assignment, rendered as one of those users; a user of another scope
never shares the key. Only the units a scope can see are rendered for it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone, translation

from mtqg.accounts.models import Assignment, User
from mtqg.core.jobs import JobContext
from mtqg.core.scoping import view_prefixes
from mtqg.geo.models import UnitVersion

from . import selectors, views
from .forms import PROGRAM_CHOICES, FilterForm
from .models import FactsStamp
from .services import path_range, stamp_prefix

log = logging.getLogger(__name__)

PRE2025 = UnitVersion.Structure.PRE2025
PROGRAMS = tuple(code for code, _label in PROGRAM_CHOICES if code)


def variants(unit: UnitVersion, this_year: int) -> list[dict[str, str]]:
    """The filters a unit's page is warmed with: what readers open first (decision 0835) — the default page, and
    for a country or province each program of the current year. Other years and the current-units view are left
    to their first reader: warming every program × 5 years × 2 modes of 34 provinces for every scope (≈ 8.800
    pages at province scale) neither finished between two refreshes nor fit the file cache (0821)."""
    out: list[dict[str, str]] = [{}]
    if unit.level > UnitVersion.Level.PROVINCE:
        return out
    out += [{"program": p, "year": str(this_year)} for p in PROGRAMS]
    return out


def warm_units(path: str) -> list[UnitVersion]:
    """The units of today whose pages a refresh at `path` changed: the country, every current province whose
    lineage covers the stamp's province (itself, or the province a pre-2025 one merged into), and the communes
    whose own stamp moved (decision 0835): the refreshed commune itself, or every commune under a refreshed
    province or district. Pre-2025 units' pages (history, opened with a year filter) are left to their first
    reader: warming them tripled the cost for pages rarely opened."""
    stamp = stamp_prefix(path)
    provinces = [
        u
        for u in UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE).exclude(structure=PRE2025)
        if stamp in {stamp_prefix(p) for p in selectors.unit_prefixes(u)}
    ]
    communes = list(
        UnitVersion.objects.filter(level=UnitVersion.Level.COMMUNE)
        .filter(path_range("path", tuple(p.path for p in provinces)))
        .order_by("path")
    )
    if path.count("/") > stamp.count("/"):  # below the province: the communes whose lineage holds the path
        communes = [c for c in communes if _reads(c, path)]
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY)
    return [*country, *provinces, *communes]


def _reads(commune: UnitVersion, path: str) -> bool:
    """The commune's page reads the unit stamp of `path` (selectors._unit_stamp): at, above or below its paths."""
    return any(path.startswith(p) or p.startswith(path) for p in selectors.unit_prefixes(commune))


def scope_users(on: Any = None) -> list[Any]:
    """One user per distinct set of view prefixes among active users with an active assignment."""
    on = on or timezone.localdate()
    ids = (
        Assignment.objects.filter(user__is_active=True)
        .exclude(valid_from__gt=on)
        .exclude(valid_to__lt=on)
        .values_list("user_id", flat=True)
        .distinct()
    )
    seen: dict[tuple[str, ...], Any] = {}
    for user in User.objects.filter(pk__in=ids).order_by("pk"):
        seen.setdefault(view_prefixes(user), user)
    return list(seen.values())


def render_page(user: Any, unit: UnitVersion, params: dict[str, str]) -> dict[str, Any] | None:
    """The page of `unit` with the filters `params` as `user`, through the view's cache (a miss renders and
    stores it; a hit returns it; a province's or the country's page not current is recomputed). None when the
    filters are not valid, or another process is computing that page."""
    request = RequestFactory().get(f"/dashboards/{unit.pk}/", params)
    request.user = user
    form = FilterForm(QueryDict(request.GET.urlencode()) if params else None)
    if params and not form.is_valid():
        return None
    page = views._page(request, unit, form, refresh=True)
    return page if page.get("content") is not None else None


def _due(unit: UnitVersion) -> bool:
    """Whether the unit's pages are to be warmed now: not when another warming took them less than
    `DASHBOARDS_WARM_INTERVAL` seconds ago (decision 0856). Under continuous data entry every save refreshed and
    re-warmed the country's and its province's pages — most of the job worker's CPU in the 200-user run — while
    readers are served those pages within the staleness bound (0835) anyway. The mark is an `add` in the shared
    page cache, so one warming per unit and interval across every process."""
    interval = int(getattr(settings, "DASHBOARDS_WARM_INTERVAL", 0))
    return interval <= 0 or bool(selectors.panel_cache().add(f"warmed:{unit.path}", 1, timeout=interval))


def pages_warm(path: str, *, version: int | None = None) -> dict[str, Any]:
    """Render into the page cache every warmed variant (see `variants`) of the units whose pages read the stamp
    of `path`, once per scope that sees them. Skipped when `version` is given and the stamp moved on since (a
    later refresh enqueued its own warming)."""
    started = time.monotonic()
    province = stamp_prefix(path)
    current = FactsStamp.objects.filter(path=province).values_list("version", flat=True).first()
    if version is not None and current is not None and current != version:
        return {"pages": 0, "skipped": True, "seconds": 0.0}
    this_year = timezone.localdate().year
    units = [unit for unit in warm_units(path) if _due(unit)]
    pages = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in scope_users():
            prefixes = view_prefixes(user)
            for unit in units:
                if not any(unit.path.startswith(p) for p in prefixes):
                    continue
                for params in variants(unit, this_year):
                    if render_page(user, unit, params) is not None:
                        pages += 1
    return {"pages": pages, "skipped": False, "seconds": round(time.monotonic() - started, 2)}


def warm_job(ctx: JobContext, **params: Any) -> dict[str, Any]:
    """Background job enqueued after a refresh (receivers._refresh): warm the pages of the refreshed province."""
    return pages_warm(params["path"], version=params.get("version"))
