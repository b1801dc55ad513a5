from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "techmarket.vouchers"
    label = "vouchers"
    verbose_name = _("创新券")
    api_router = "techmarket.vouchers.api.router"
    api_prefix = "/vouchers"
    workspace_panel = "techmarket.vouchers.workspace.panel"

    def ready(self) -> None:
        from . import workflow  # noqa: F401 - registers the voucher-use workflow
