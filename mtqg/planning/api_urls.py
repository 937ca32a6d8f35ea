"""API routes of the planning app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("scenario/", api.scenario_report, name="planning-scenario"),
]
