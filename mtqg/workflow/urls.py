from django.urls import path

app_name = "workflow"
urlpatterns: list[path] = []  # type: ignore[valid-type]
