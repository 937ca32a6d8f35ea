"""Demo: the summary facts computed from every program app's demo records (run after their seeds)."""

from __future__ import annotations

from django.db import transaction

from . import rollups
from .models import PendingRefresh, SummaryFact
from .services import summaries_rebuild, summaries_refresh_pending


def seed() -> int:
    """Full rebuild the first time; later runs only refresh units still marked stale (nothing when none)."""
    if SummaryFact.objects.exists():
        if not rollups.ready():  # a database whose facts predate the roll-ups (decision 0715)
            with transaction.atomic():
                rollups.rebuild()
        return summaries_refresh_pending() if PendingRefresh.objects.exists() else 0
    return int(summaries_rebuild(actor=None)["facts"])
