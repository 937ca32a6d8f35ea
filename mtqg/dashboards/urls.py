from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "dashboards"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.unit_dashboard, name="unit"),
    path("<int:pk>/xlsx/<slug:chart>/", views.chart_xlsx, name="xlsx"),
]
