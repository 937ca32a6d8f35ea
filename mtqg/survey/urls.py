from django.urls import path

from . import views

app_name = "survey"
urlpatterns = [
    path("", views.campaign_list, name="index"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/giao-thon/", views.village_assign, name="village_assign"),
    path("<int:pk>/thu-tuc/", views.paperwork, name="paperwork"),
    path("<int:pk>/bao-cao/", views.campaign_report, name="report"),
    path("ho/<int:pk>/", views.survey_form, name="form"),
    path("ho/<int:pk>/xem-truoc/", views.survey_preview, name="preview"),
    path("ho/<int:pk>/giay-chung-nhan.docx", views.household_certificate, name="certificate"),
    path("giay-chung-nhan/", views.certificate_list, name="certificates"),
    path("giay-chung-nhan/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("giay-chung-nhan/<int:pk>.docx", views.certificate_docx, name="certificate_docx"),
    path("xung-dot/<int:pk>/", views.conflict_detail, name="conflict"),
    path("app/", views.field_app, name="app"),
    path("app/sw.js", views.service_worker, name="sw"),
    path("app/manifest.webmanifest", views.manifest, name="manifest"),
]
