from django.urls import path

from . import entry_views, views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("curve.json", views.curve, name="curve"),
    path("works/", views.works, name="works"),
    path("works/map.json", views.works_map, name="works-map"),
    path("works/<int:pk>/", views.work_detail, name="work"),
    path("works/<int:pk>/disburse/", entry_views.disburse, name="disburse"),
    path("works/<int:pk>/progress/", entry_views.progress_add, name="progress-add"),
    path("works/<int:pk>/photos/", entry_views.photo_add, name="photo-add"),
    path("photos/<int:pk>/", entry_views.photo, name="photo"),
    path("alerts/note/", entry_views.alert_note, name="alert-note"),
    path("alerts/recommend/", entry_views.alert_recommend, name="alert-recommend"),
    path("outputs/values/new/", entry_views.indicator_value_new, name="indicator-value-new"),
    path("outputs/", views.outputs, name="outputs"),
    path("alerts/", views.alerts, name="alerts"),
]
