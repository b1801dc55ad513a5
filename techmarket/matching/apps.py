from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techmarket.matching"
    label = "matching"
    verbose_name = _("匹配推荐")

    def ready(self) -> None:
        from techmarket.catalog.events import on_listing_changed, on_listing_published

        from .tasks import schedule_reindex, schedule_rematch

        # Every change re-indexes (publish, edit, close, expire ...); a publication also re-matches both ways.
        on_listing_changed(schedule_reindex)
        on_listing_published(schedule_rematch)
