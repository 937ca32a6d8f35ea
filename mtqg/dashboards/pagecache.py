"""Aggregate pages served within a bounded staleness, computed once at a time (decision 0835).

A province's or the country's page reads the province stamps, which every save in any of its communes bumps; under
continuous data entry its key would change every few seconds and most readers would pay a full computation. Instead
the page is stored under a key without the stamp, with the version it was computed from and the time its figures
were read. A reader whose stamp has moved on gets:

- the stored page, marked stale with its as-of, while its figures were read less than half the bound ago (no work);
- between half the bound and the bound: one request (the one that takes the page's lock) recomputes, the others
  get the stored page, marked;
- past the bound (or nothing stored): the page is computed — by the lock's holder; the others wait for its result
  (no second computation of the same page at the same time), or compute it themselves if it does not come.

The bound is `settings.DASHBOARDS_STALE_SECONDS` (60 s; 0 = always recompute when the stamp moved). The lock is the
cache's atomic `add` (local memory, Redis), or a file created exclusively next to the file cache's entries.

`figures_serve` gives the report API (reports.api, registered at start-up) the same rules for a report's figures,
with the moment they were read, which the API shows as `figures_as_of` (decision 0850).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import timezone

from mtqg.geo.models import UnitVersion

from . import selectors

LOCK_SECONDS = 30  # a computation that takes longer (or died) frees the lock
WAIT_SECONDS = 10.0  # how long a reader waits for another's computation before doing it itself
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Stale:
    """A page served from an older computation: the time of the refresh its figures include, and of the newer one."""

    as_of: datetime
    latest: datetime
    bound: int


def bound() -> int:
    return int(getattr(settings, "DASHBOARDS_STALE_SECONDS", 60))


def _lock_file(cache: Any, key: str) -> Path | None:
    if not isinstance(cache, FileBasedCache):
        return None
    return Path(cache._dir) / (hashlib.sha256(key.encode()).hexdigest() + ".lock")  # type: ignore[attr-defined]


def lock_acquire(key: str) -> bool:
    """Take the page's computation lock (atomic across processes); False when another holds it."""
    cache = selectors.panel_cache()
    path = _lock_file(cache, key)
    if path is None:
        return bool(cache.add("dashboards:lock:" + key, 1, LOCK_SECONDS))
    for _attempt in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime < LOCK_SECONDS:
                    return False
                path.unlink()  # a dead holder's lock
            except FileNotFoundError:
                pass
        except FileNotFoundError:  # the cache directory does not exist yet
            path.parent.mkdir(parents=True, exist_ok=True)
    return False


def lock_release(key: str) -> None:
    cache = selectors.panel_cache()
    path = _lock_file(cache, key)
    if path is None:
        cache.delete("dashboards:lock:" + key)
    else:
        path.unlink(missing_ok=True)


def _compute(key: str, version: int, as_of: datetime, compute: Callable[[], Any], timeout: int) -> Any:
    """Compute and store the page with its version, its as-of (the time of the stamp it was computed from: the
    "Số liệu tính đến" its content shows) and when its figures were read (the staleness bound counts from it, and
    so does the timeout: an entry outlives its reading by `timeout` at most, however long the computation took)."""
    read_at = time.time()
    value = compute()
    entry = {"value": value, "version": version, "as_of": as_of, "read_at": read_at}
    selectors.panel_cache().set(key, entry, max(1, int(timeout - (time.time() - read_at))))
    return value


def _locked_compute(key: str, version: int, as_of: datetime, compute: Callable[[], Any], timeout: int) -> Any:
    try:
        return _compute(key, version, as_of, compute, timeout)
    finally:
        lock_release(key)


def _stale(entry: dict[str, Any], changed_at: datetime) -> tuple[Any, Stale]:
    return entry["value"], Stale(as_of=entry["as_of"], latest=changed_at, bound=bound())


def get_or_compute(
    key: str,
    version: int,
    changed_at: datetime,
    compute: Callable[[], Any],
    *,
    timeout: int,
    refresh: bool = False,
    limit: int | None = None,
) -> tuple[Any, Stale | None]:
    """(value, None) when current; (value, Stale) when served from an older computation within the bound.
    `refresh` (the warming job): compute when not current unless someone else is computing; never serve stale.
    `limit`: the staleness bound in seconds if not the setting's (0: never stale, still computed once at a time)."""
    cache = selectors.panel_cache()
    entry = cache.get(key)
    if entry is not None and entry["version"] == version:
        return entry["value"], None
    age = time.time() - entry["read_at"] if entry is not None else None
    limit = bound() if limit is None else limit
    if refresh:
        if lock_acquire(key):
            return _locked_compute(key, version, changed_at, compute, timeout), None
        return (entry["value"], None) if entry is not None else (None, None)
    if entry is not None and age is not None and age < limit:
        if age >= limit / 2 and lock_acquire(key):
            return _locked_compute(key, version, changed_at, compute, timeout), None
        return _stale(entry, changed_at)
    if lock_acquire(key):
        return _locked_compute(key, version, changed_at, compute, timeout), None
    started = time.time()
    while time.time() - started < WAIT_SECONDS:  # another request computes it: wait for its result
        time.sleep(POLL_SECONDS)
        got = cache.get(key)
        if got is not None and got["version"] == version:
            return got["value"], None
        if got is not None and time.time() - got["read_at"] < limit:
            return _stale(got, changed_at)
    return _compute(key, version, changed_at, compute, timeout), None


def figures_serve(unit: UnitVersion, key: str, compute: Callable[[], Any]) -> tuple[Any, datetime, bool]:
    """A report's figures for `unit` under `key` (the caller's scope, parameters and language; the unit's stamp
    is added here): (figures, when they were read, stale). The pages' rules (decision 0850): a province's or the
    country's figures within the staleness bound after a save, a commune's exact (its own stamp, 0835); either is
    computed once at a time; stored for the bound at most, for what the stamps do not see (a policy edited at
    the centre). A unit without a stamp: computed now."""

    def timed() -> tuple[datetime, Any]:
        read_at = timezone.now()
        return read_at, compute()

    changed_at, version = selectors.stamp(unit)
    if changed_at is None:
        read_at, value = timed()
        return value, read_at, False
    limit = 0 if unit.level >= UnitVersion.Level.COMMUNE else bound()
    got, stale = get_or_compute(key, version, changed_at, timed, timeout=max(bound(), 1), limit=limit)
    read_at, value = got
    return value, read_at, stale is not None
