from django.urls import path

from . import views

app_name = "poverty"
urlpatterns = [
    path("", views.index, name="index"),
    path("ho/", views.household_list, name="household_list"),
    path("ho/xuat/", views.household_export, name="household_export"),
    path("nhat-ky-du-lieu-ca-nhan/", views.access_log, name="access_log"),
    path("ho/<int:pk>/", views.household_detail, name="household_detail"),
    path("ho/<int:pk>/sua/", views.household_edit, name="household_edit"),
    path("ho/<int:pk>/thanh-vien/them/", views.member_edit, name="member_create"),
    path("ho/<int:pk>/thanh-vien/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("ho/<int:pk>/ra-soat/<int:review_pk>/", views.review_edit, name="review_edit"),
    path("nhap/", views.batch_list, name="batch_list"),
    path("nhap/mau/", views.import_template, name="import_template"),
    path("nhap/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("nhap/<int:pk>/loi/", views.batch_errors, name="batch_errors"),
]
