from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mtqg.api"
    label = "api"
    verbose_name = "API"
