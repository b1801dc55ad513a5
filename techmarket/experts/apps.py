from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "techmarket.experts"
    label = "experts"
    verbose_name = _("专家人才")

    def ready(self) -> None:
        from .catalogue import register

        register()
