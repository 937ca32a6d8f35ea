from django.urls import path

from . import report_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("overdue/", views.overdue, name="overdue"),
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/download/", report_views.report_download, name="report_download"),
    path("reports/files/<int:pk>/", report_views.rendered_download, name="rendered"),
    path("reports/sign/", report_views.report_sign, name="report_sign"),
    path("snapshots/", report_views.snapshot_list, name="snapshots"),
    path("snapshots/compare/", report_views.snapshot_compare, name="snapshot_compare"),
    path("snapshots/<int:pk>/", report_views.snapshot_detail, name="snapshot"),
]
