from django.urls import URLPattern, URLResolver

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = []
