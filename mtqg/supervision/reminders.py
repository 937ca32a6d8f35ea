"""Reminders for recommendations: due soon (N days before the deadline, N from data/reminders.json) and overdue
(then again every `overdue_repeat_days`). Recipients: users who may enter data for the responsible unit (or the
visited unit), plus the issuer once overdue. Listed in mtqg/notifications/reminders.py REMINDER_PROVIDERS; the key
makes `manage.py send_reminders` send each reminder once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.reminders import Reminder

from .models import Recommendation

RULES = Path(__file__).resolve().parent / "data" / "reminders.json"
DUE, OVERDUE = "supervision.due", "supervision.overdue"


def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES.read_text(encoding="utf-8"))
    return data


def _recipients(rec: Recommendation, *, with_issuer: bool) -> list[Any]:
    path = (rec.responsible_unit or rec.mission.unit).path
    users = users_covering(path, access="entry")
    if with_issuer and rec.issued_by is not None and rec.issued_by.is_active and rec.issued_by not in users:
        users.append(rec.issued_by)
    return users


def due(today: date) -> Iterator[Reminder]:
    config = rules()
    thresholds = sorted({int(d) for d in config.get("days_before_deadline", []) if int(d) > 0})
    repeat = max(1, int(config.get("overdue_repeat_days", 30)))
    horizon = today + timedelta(days=max(thresholds, default=0))
    open_recs = (
        Recommendation.objects.filter(
            status__in=Recommendation.OPEN, deadline__isnull=False, deadline__lte=horizon
        )
        .select_related("mission__unit", "responsible_unit", "issued_by")
        .order_by("deadline", "pk")
    )
    for rec in open_recs:
        assert rec.deadline is not None
        url = reverse("supervision:recommendation", args=[rec.pk])
        left = (rec.deadline - today).days
        if left >= 0:
            # the smallest threshold not yet passed: 14 → one reminder, 3 → another
            threshold = next((t for t in thresholds if left <= t), None)
            if threshold is None:
                continue
            yield Reminder(
                recipients=_recipients(rec, with_issuer=False),
                category=DUE,
                title=_("Kiến nghị sắp đến hạn (%(d)s)") % {"d": date_vi(rec.deadline)},
                body=rec.content[:300],
                url=url,
                key=f"supervision-due-{rec.pk}-{rec.deadline.isoformat()}-{threshold}",
            )
        else:
            period = (-left - 1) // repeat
            yield Reminder(
                recipients=_recipients(rec, with_issuer=True),
                category=OVERDUE,
                title=_("Kiến nghị quá hạn %(n)s ngày (hạn %(d)s)")
                % {"n": -left, "d": date_vi(rec.deadline)},
                body=rec.content[:300],
                url=url,
                key=f"supervision-overdue-{rec.pk}-{rec.deadline.isoformat()}-{period}",
            )
