from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "techmarket.notifications"
    label = "notifications"
    verbose_name = _("通知与订阅")

    def ready(self) -> None:
        from techmarket.catalog.events import on_listing_published, on_listing_transition

        from .tasks import schedule_review_notice, schedule_saved_search_notifications

        on_listing_published(schedule_saved_search_notifications)
        on_listing_transition(schedule_review_notice)
