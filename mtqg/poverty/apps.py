from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PovertyConfig(AppConfig):
    name = "mtqg.poverty"
    label = "poverty"
    verbose_name = _("Giảm nghèo bền vững")

    def ready(self) -> None:
        from . import tally  # noqa: F401  (connects the review signals that keep the tallies)
