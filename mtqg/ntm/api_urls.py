"""API routes of the ntm app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("summary/", api.summary, name="ntm-summary"),
    path("digital-gaps/", api.digital_gaps, name="ntm-digital-gaps"),
    path("white-communes/", api.white_communes, name="ntm-white-communes"),
]
