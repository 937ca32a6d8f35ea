from django.urls import path

app_name = "finance"
urlpatterns: list[path] = []  # type: ignore[valid-type]
