"""API routes of the dashboards app (plain views); the facts viewset is registered in mtqg/api/router.py."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", api.Dashboard.as_view(), name="dashboards-dashboard"),
    path("measures/", api.Measures.as_view(), name="dashboards-measures"),
]
