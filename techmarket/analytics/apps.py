from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "techmarket.analytics"
    label = "analytics"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        # Each domain app declares its indicators in <app>/figures.py (see indicators.register).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("figures")

        # Writes mark the pre-aggregated figures stale inside their transaction (see analytics.facts).
        from techmarket.audit.services import register_write_listener

        from .facts import mark_stale

        register_write_listener(mark_stale)
