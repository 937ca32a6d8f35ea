"""Demo data for workflow, called by `manage.py seed_demo`: the reporting calendars for 2025-2026."""

from __future__ import annotations

from .calendar import load_calendars


def seed() -> None:
    """Deterministic and idempotent (existing periods are skipped, types and rules updated in place)."""
    load_calendars([2025, 2026])
