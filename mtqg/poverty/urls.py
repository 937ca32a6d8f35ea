from django.urls import path

app_name = "poverty"
urlpatterns: list[path] = []  # type: ignore[valid-type]
