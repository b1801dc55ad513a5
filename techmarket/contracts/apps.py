from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "techmarket.contracts"
    label = "contracts"
    verbose_name = _("技术合同")
    api_router = "techmarket.contracts.api.router"
    api_prefix = "/contracts"
    workspace_panel = "techmarket.contracts.workspace.panel"

    def ready(self) -> None:
        from .sheet import register_sheet

        register_sheet()
        from .performance import register_columns

        register_columns()
