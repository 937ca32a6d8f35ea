from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest

from .models import Notification


@cache
def _unread_sql(vendor: str) -> str:
    qn = connection.ops.quote_name
    return (
        f"SELECT COUNT(*) FROM {qn(Notification._meta.db_table)} "
        f"WHERE {qn('recipient_id')} = %s AND {qn('read_at')} IS NULL"
    )


def unread_count(user_id: int) -> int:
    """The badge of base.html on every page: Notification.objects.filter(recipient_id=…, read_at__isnull=True)
    .count() as plain SQL — the ORM spent ≈ 0,25 ms of CPU building it, a tenth of a cached dashboard page
    (decision 0821); the (recipient, read_at) index answers it."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_sql(connection.vendor), [user_id])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user.pk)}
