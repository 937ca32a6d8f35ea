from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("", views.index, name="index"),
    path("national/", views.national, name="national"),
    path("validation/", views.validation_view, name="validation"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/values/", views.report_values, name="report_values"),
    path("reports/<int:pk>/template.xlsx", views.report_template, name="report_template"),
    path("reports/<int:pk>/import/", views.report_import, name="report_import"),
    path("reports/<int:pk>/attachments/", views.report_attach, name="report_attach"),
    path("reports/<int:pk>/<str:action>/", views.report_transition, name="report_transition"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
