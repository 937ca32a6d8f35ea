from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("curve.json", views.curve, name="curve"),
    path("works/", views.works, name="works"),
    path("works/map.json", views.works_map, name="works-map"),
    path("works/<int:pk>/", views.work_detail, name="work"),
    path("outputs/", views.outputs, name="outputs"),
    path("alerts/", views.alerts, name="alerts"),
]
