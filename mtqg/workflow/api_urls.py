"""API routes of the workflow app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("completeness/", api.Completeness.as_view(), name="workflow-completeness"),
    path("validation/", api.Validation.as_view(), name="workflow-validation"),
]
