from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("tinh/<int:pk>/", views.province, name="province"),
    path("du-lieu/", views.dictionary, name="dictionary"),
    path("du-lieu/<slug:slug>.<str:fmt>", views.dataset, name="dataset"),
]
