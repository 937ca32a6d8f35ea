from django.urls import path

from . import api

urlpatterns = [
    path("download/", api.download_view, name="survey-download"),
    path("sync/", api.sync_view, name="survey-sync"),
    path("preview/", api.preview_view, name="survey-preview"),
]
