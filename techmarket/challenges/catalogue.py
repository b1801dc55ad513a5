"""Challenges in the catalogue registry: the list, detail, API and menu entry shared code knows about."""

from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry


def register() -> None:
    from . import review, selectors  # noqa: F401 - review registers the challenge panel subject
    from .forms import ChallengeFilterForm
    from .models import Challenge
    from .workspace import challenges_panel

    registry.register(
        registry.CatalogueType(
            key="challenges",
            model=Challenge,
            label=_("揭榜挂帅"),
            order=40,
            list_visible=selectors.challenge_list_visible_to,
            get_visible=selectors.challenge_get_visible,
            pk_kwarg="challenge_id",
            filter_form=ChallengeFilterForm,  # subscribers hear of new publications (notifications)
            saved_search=True,
            api_router="techmarket.challenges.api.router",
            # no navigation=: core.navigation already has the 揭榜挂帅 section (order 50)
            workspace_panel=challenges_panel,
            quick_actions=(registry.QuickAction(_("发布揭榜榜单"), "challenges:create"),),
        )
    )
