"""Re-rating reminders: certificates (latest rating ≥3★) expiring within N days — N from data/rules.json
(`rerating_reminders.days_before_expiry`, e.g. [90, 30]) — go to the users who may enter data for the product's
commune. Listed in mtqg/notifications/reminders.py REMINDER_PROVIDERS; `manage.py send_reminders` runs it daily and
the key (product, certificate end, threshold) makes each reminder go out once per threshold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.reminders import Reminder

from .models import Product
from .rules import RULES_FILE

CATEGORY = "ocop.rerating"


def reminder_days() -> list[int]:
    """Thresholds in days before the certificate end, largest first (data)."""
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    days = data.get("rerating_reminders", {}).get("days_before_expiry", [90])
    return sorted({int(d) for d in days if int(d) > 0}, reverse=True)


def expiring_products(today: date, days: int) -> Any:
    """Products whose current rating is certified (≥3★), decided by `today`, ending within `days` days."""
    return (
        Product.objects.filter(
            current_rating__stars__gte=3,
            current_rating__decision_date__lte=today,
            current_rating__valid_to__gte=today,
            current_rating__valid_to__lte=today + timedelta(days=days),
        )
        .select_related("current_rating", "commune", "subject")
        .order_by("commune__path", "current_rating__valid_to", "pk")
    )


def due(today: date) -> Iterator[Reminder]:
    thresholds = reminder_days()
    if not thresholds:
        return
    recipients_by_path: dict[str, list[Any]] = {}
    for product in expiring_products(today, thresholds[0]):
        rating = product.current_rating
        assert rating is not None and rating.valid_to is not None
        left = (rating.valid_to - today).days
        bucket = min(d for d in thresholds if left <= d)
        path = product.commune.path
        if path not in recipients_by_path:
            recipients_by_path[path] = users_covering(path, access="entry", on=today)
        recipients = recipients_by_path[path]
        if not recipients:
            continue
        yield Reminder(
            recipients=recipients,
            category=CATEGORY,
            title=_("Sản phẩm OCOP “%(p)s” hết hạn chứng nhận %(s)d sao ngày %(d)s")
            % {"p": product.name, "s": rating.stars, "d": date_vi(rating.valid_to)},
            body=_(
                "Giấy chứng nhận của %(subject)s (%(commune)s) còn %(left)d ngày. Hướng dẫn chủ thể đăng ký "
                "đánh giá, phân hạng lại trước khi hết hạn."
            )
            % {"subject": product.subject.name, "commune": product.commune.name, "left": left},
            url=reverse("ocop:product", args=[product.pk]),
            key=f"ocop.rerating:{product.pk}:{rating.valid_to.isoformat()}:{bucket}",
        )
