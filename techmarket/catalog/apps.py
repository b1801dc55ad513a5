from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "techmarket.catalog"
    label = "catalog"
    verbose_name = _("供需目录")

    def ready(self) -> None:
        from .scopes import connect_task_signals

        connect_task_signals()
