"""API routes of the finance app (plain views); viewsets go in mtqg/api/router.py (POST to the
disbursements viewset at /api/v1/finance/disbursements/ records a payment)."""

from django.urls import path

from . import api

urlpatterns = [
    path("disbursement/", api.disbursement, name="finance-disbursement"),
    path("outputs/", api.outputs, name="finance-outputs"),
    path("alerts/", api.alerts, name="finance-alerts"),
]
