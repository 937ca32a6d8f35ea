"""API routes of the ocop app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("summary/", api.summary, name="ocop-api-summary"),
]
