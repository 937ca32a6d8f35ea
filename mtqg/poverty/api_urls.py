"""API routes of the poverty app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("classify/", api.classify_view, name="poverty-classify"),
    path("summary/", api.summary_view, name="poverty-summary"),
    path("by-province/", api.by_province_view, name="poverty-by-province"),
]
