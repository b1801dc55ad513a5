from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "techmarket.challenges"
    label = "challenges"
    verbose_name = _("揭榜挂帅")

    def ready(self) -> None:
        from .catalogue import register

        register()
