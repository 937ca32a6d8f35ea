"""API routes of the supervision app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [path("recurring-themes/", api.recurring_themes, name="supervision-recurring-themes")]
