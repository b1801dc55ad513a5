from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "techmarket.catalog"
    label = "catalog"
    verbose_name = _("供需目录")

    def ready(self) -> None:
        from .scopes import connect_task_signals

        connect_task_signals()

        from django.apps import apps

        from .models import Listing
        from .workflow import listing_workflow

        # Every concrete catalogue model runs the one review workflow (and so the overdue task sees it).
        for model in apps.get_models():
            if issubclass(model, Listing):
                listing_workflow(model)
