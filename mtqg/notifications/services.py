"""notification_send(): the one way to notify users (in-app always, e-mail per preference, muting honoured)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.models import Job

from .categories import CATEGORIES, label
from .models import Notification, Preference

log = logging.getLogger(__name__)


def preference_for(user: Any) -> Preference:
    pref, _created = Preference.objects.get_or_create(user=user)
    return pref


def _email(user: Any, subject: str, body: str) -> bool:
    if not getattr(user, "email", ""):
        return False
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError:
        log.exception("e-mail to %s failed", user.pk)
        return False
    return True


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[Any],
    category: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Create one notification per recipient (skipping inactive users, muted categories and keys already sent)
    and e-mail those who chose immediate e-mail. Returns the notifications created."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category!r}")
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        pref = preference_for(user)
        if category in pref.muted:
            continue
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            continue
        note = Notification.objects.create(
            recipient=user, category=category, title=str(title)[:300], body=str(body), url=url, key=key
        )
        if pref.email_mode == Preference.EmailMode.IMMEDIATE:
            text = f"{body}\n\n{_absolute(url)}".strip()
            subject = f"[MTQG] {label(category)}: {title}"
            if _email(user, subject, text):
                note.emailed_at = timezone.now()
                note.save(update_fields=["emailed_at"])
        created.append(note)
    return created


def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def preference_update(*, user: Any, email_mode: str, muted: Iterable[str]) -> Preference:
    if email_mode not in Preference.EmailMode.values:
        raise ValueError(email_mode)
    pref = preference_for(user)
    pref.email_mode = email_mode
    pref.muted = sorted(set(muted) & set(CATEGORIES))
    pref.save()
    return pref


def digest_send(*, since: Any = None) -> int:
    """One e-mail per digest-mode user listing notifications not yet e-mailed; returns e-mails sent."""
    sent = 0
    prefs = Preference.objects.filter(email_mode=Preference.EmailMode.DIGEST).select_related("user")
    for pref in prefs:
        pending = Notification.objects.filter(recipient=pref.user, emailed_at__isnull=True)
        if since is not None:
            pending = pending.filter(created_at__gte=since)
        notes = list(pending.order_by("created_at"))
        if not notes:
            continue
        lines = [f"- [{n.category_label}] {n.title} {_absolute(n.url)}".rstrip() for n in notes]
        subject = _("[MTQG] Tổng hợp %(n)s thông báo") % {"n": len(notes)}
        if _email(pref.user, subject, "\n".join(lines)):
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def job_finished_notify(job: Job) -> None:
    """A background job finished: tell its creator (core.jobs calls this through settings.MTQG_JOB_FINISHED)."""
    title = _("%(title)s: %(status)s") % {"title": job.title, "status": job.get_status_display()}
    notification_send(
        recipients=[job.created_by],
        category="jobs.finished",
        title=title,
        body=job.error,
        url=job.get_absolute_url(),
        key=f"job-{job.pk}",
    )
