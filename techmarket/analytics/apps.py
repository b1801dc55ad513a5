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
        from django.core.signals import request_finished, request_started

        from techmarket.audit.services import register_write_listener

        from .facts import mark_stale
        from .facts import request_finished as facts_request_finished
        from .facts import request_started as facts_request_started

        register_write_listener(mark_stale)
        # Within one request each indicator's facts are brought up to date once.
        request_started.connect(facts_request_started, dispatch_uid="analytics-facts-request-started")
        request_finished.connect(facts_request_finished, dispatch_uid="analytics-facts-request-finished")
