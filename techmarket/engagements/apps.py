from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "techmarket.engagements"
    label = "engagements"
    verbose_name = _("对接项目")
    api_router = "techmarket.engagements.api.router"
    api_prefix = "/engagements"
    workspace_panel = "techmarket.engagements.workspace.panel"

    def ready(self) -> None:
        from techmarket.matching import services as matching

        from .answers import on_recommendation

        if on_recommendation not in matching.RECOMMENDATION_LISTENERS:
            matching.RECOMMENDATION_LISTENERS.append(on_recommendation)

        from techmarket.events.hooks import register_engagement_opener

        from .from_events import open_from_meeting

        register_engagement_opener(open_from_meeting)
