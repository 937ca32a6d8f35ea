"""API routes of the supervision app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("recurring-themes/", api.RecurringThemes.as_view(), name="supervision-recurring-themes"),
    path("briefing/", api.Briefing.as_view(), name="supervision-briefing"),
]
