from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("scenarios/<int:pk>/", views.scenario, name="scenario"),
    path("scenarios/<int:pk>/chart.json", views.chart, name="chart"),
    path("scenarios/<int:pk>/export.xlsx", views.export, name="export"),
    path("scenarios/<int:pk>/convert/", views.convert, name="convert"),
    path("scenarios/<int:pk>/delete/", views.delete, name="delete"),
    path("scenarios/<int:pk>/communes/<int:commune_id>/", views.commune, name="commune"),
]
