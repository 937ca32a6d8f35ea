from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .search import register_sqlite_fold


class CoreConfig(AppConfig):
    name = "mtqg.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        connection_created.connect(register_sqlite_fold, dispatch_uid="mtqg_sqlite_fold")
