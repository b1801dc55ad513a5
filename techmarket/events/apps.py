from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "techmarket.events"
    label = "events"
    verbose_name = _("对接活动")

    def ready(self) -> None:
        from .catalogue import register

        register()
