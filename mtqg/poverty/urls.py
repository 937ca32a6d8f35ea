from django.urls import path

from . import views

app_name = "poverty"
urlpatterns = [
    path("", views.index, name="index"),
    path("ho/", views.household_list, name="household_list"),
    path("ho/<int:pk>/", views.household_detail, name="household_detail"),
]
