from django.urls import path

app_name = "ocop"
urlpatterns: list[path] = []  # type: ignore[valid-type]
