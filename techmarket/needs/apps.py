from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "techmarket.needs"
    label = "needs"
    verbose_name = _("技术需求")

    def ready(self) -> None:
        from .catalogue import register

        register()
