"""API routes of the dashboards app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
