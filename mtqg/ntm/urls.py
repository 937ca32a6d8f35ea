from django.urls import path

app_name = "ntm"
urlpatterns: list[path] = []  # type: ignore[valid-type]
