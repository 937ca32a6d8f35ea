from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("overdue/", views.overdue, name="overdue"),
]
