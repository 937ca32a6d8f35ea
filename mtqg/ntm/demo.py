"""Demo data for this app, called by `manage.py seed_demo` after the foundation's units and users."""

from __future__ import annotations


def seed() -> None:
    """Deterministic and idempotent."""
