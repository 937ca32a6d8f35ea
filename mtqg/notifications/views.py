"""Inbox, mark as read, and preferences (e-mail mode, muted categories)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .categories import CATEGORIES
from .models import Notification, Preference
from .services import notification_mark_read, preference_for, preference_update


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(recipient_id=request.user.pk)
    unread_only = request.GET.get("chua_doc") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return render(request, "notifications/inbox.html", {"notes": qs[:200], "unread_only": unread_only})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    n = notification_mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": n})
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = preference_for(request.user)
    if request.method == "POST":
        mode = request.POST.get("email_mode", "")
        if mode not in Preference.EmailMode.values:
            messages.error(request, _("Chế độ gửi thư không hợp lệ."))
        else:
            preference_update(user=request.user, email_mode=mode, muted=request.POST.getlist("muted"))
            messages.success(request, _("Đã lưu tùy chọn thông báo."))
            return redirect("notifications:preferences")
    categories = [(code, label, code in pref.muted) for code, label in CATEGORIES.items()]
    return render(
        request,
        "notifications/preferences.html",
        {"pref": pref, "categories": categories, "modes": Preference.EmailMode.choices},
    )
