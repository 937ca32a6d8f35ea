"""Demo data for supervision, called by `manage.py seed_demo`."""

from __future__ import annotations


def seed() -> None:
    """Deterministic and idempotent."""
