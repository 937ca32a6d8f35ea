"""API routes of the supervision app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

urlpatterns: list[path] = []  # type: ignore[valid-type]
