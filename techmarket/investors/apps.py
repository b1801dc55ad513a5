from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestorsConfig(AppConfig):
    name = "techmarket.investors"
    label = "investors"
    verbose_name = _("投融资")
    api_router = "techmarket.investors.api.router"
    api_prefix = "/investors"
    workspace_panel = "techmarket.investors.workspace.panel"

    def ready(self) -> None:
        from . import workflow  # noqa: F401 - registers the interest workflow
