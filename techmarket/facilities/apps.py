from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "techmarket.facilities"
    label = "facilities"
    verbose_name = _("概念验证与中试平台")

    def ready(self) -> None:
        from . import recognition, request_types, workflow  # noqa: F401 - registers the workflows and request types
        from .catalogue import register

        register()
