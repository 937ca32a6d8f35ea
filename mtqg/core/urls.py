from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("jsi18n/", views.javascript_catalog, name="jsi18n"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
]
