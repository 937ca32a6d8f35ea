from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "mtqg.dashboards"
    label = "dashboards"
    verbose_name = _("Bảng điều khiển")

    def ready(self) -> None:
        from mtqg.reports.api import cached_report_register

        from . import (
            pagecache,
            receivers,  # noqa: F401  (connects the ChangeRecord receiver)
        )

        cached_report_register("ntm-summary", serve=pagecache.figures_serve)  # decisions 0835, 0850
