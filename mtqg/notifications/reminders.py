"""Periodic reminders (deadlines, expiring certificates, overdue recommendations) from each app's provider.

A provider is `due(today: date) -> Iterable[Reminder]`, listed in REMINDER_PROVIDERS. `manage.py send_reminders`
(run daily by cron or the scaled profile's scheduler) calls them all; each reminder's key makes a re-run send
nothing twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.module_loading import import_string

from .services import notification_send

REMINDER_PROVIDERS: list[str] = [
    "mtqg.workflow.notify:due",
    "mtqg.ocop.reminders:due",
    "mtqg.supervision.reminders:due",
]


@dataclass
class Reminder:
    recipients: list[Any]
    category: str
    title: str
    body: str = ""
    url: str = ""
    key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _load(name: str) -> Callable[[date], Iterable[Reminder]]:
    return import_string(name.replace(":", "."))  # "package.module:function"


def run_reminders(today: date, providers: list[str] | None = None) -> dict[str, int]:
    """Send every due reminder; returns notifications created per provider."""
    counts: dict[str, int] = {}
    for name in providers if providers is not None else REMINDER_PROVIDERS:
        created = 0
        for reminder in _load(name)(today):
            created += len(
                notification_send(
                    recipients=reminder.recipients,
                    category=reminder.category,
                    title=reminder.title,
                    body=reminder.body,
                    url=reminder.url,
                    key=reminder.key,
                )
            )
        counts[name] = created
    return counts
