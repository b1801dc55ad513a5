from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "techmarket.finance"
    label = "finance"
    verbose_name = _("金融服务")
    workspace_panel = "techmarket.finance.workspace.panel"

    def ready(self) -> None:
        from . import request_types  # noqa: F401 - registers the declaration and loan-application requests
        from .catalogue import register
        from .signals import connect

        register()
        connect()
