"""Events in the catalogue registry: list, API, navigation, workspace panel, quick action."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.catalog import registry


def register() -> None:
    from . import selectors
    from .forms import EventFilterForm
    from .models import Event
    from .workspace import events_panel

    registry.register(
        registry.CatalogueType(
            key="events",
            model=Event,
            label=_("对接活动"),
            order=60,
            list_visible=selectors.event_list_visible_to,
            get_visible=selectors.event_get_visible,
            pk_kwarg="event_id",
            filter_form=EventFilterForm,
            api_router="techmarket.events.api.router",
            navigation=registry.Navigation(pgettext_lazy("main menu", "对接活动")),
            workspace_panel=events_panel,
            quick_actions=(registry.QuickAction(_("发布活动"), "events:create"),),
        )
    )
