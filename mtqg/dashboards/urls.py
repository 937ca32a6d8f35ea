from django.urls import URLPattern, URLResolver

app_name = "dashboards"
urlpatterns: list[URLPattern | URLResolver] = []
