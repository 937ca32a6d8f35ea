from django.urls import path

from . import edit_views, report_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/new/", edit_views.mission_new, name="mission_new"),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("missions/<int:pk>/edit/", edit_views.mission_edit, name="mission_edit"),
    path("missions/<int:pk>/findings/new/", edit_views.finding_new, name="finding_new"),
    path("missions/<int:pk>/recommendations/new/", edit_views.recommendation_new, name="recommendation_new"),
    path("missions/<int:pk>/attachments/new/", edit_views.attachment_new, name="attachment_new"),
    path("attachments/<int:pk>/", edit_views.attachment_download, name="attachment"),
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
