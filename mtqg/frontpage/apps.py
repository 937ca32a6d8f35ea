from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontpageConfig(AppConfig):
    name = "mtqg.frontpage"
    label = "frontpage"
    verbose_name = _("Trang chủ")
