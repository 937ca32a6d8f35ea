"""API routes of the finance app (plain views); viewsets go in mtqg/api/router.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("disbursement/", api.disbursement, name="finance-disbursement"),
    path("outputs/", api.outputs, name="finance-outputs"),
    path("disbursements/", api.disbursement_create, name="finance-disbursement-create"),
    path("alerts/", api.alerts, name="finance-alerts"),
]
