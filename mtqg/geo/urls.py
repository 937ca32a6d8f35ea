from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
]
