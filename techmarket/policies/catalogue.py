"""Policies in the catalogue registry: list, API, navigation, workspace, quick action."""

from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry


def register() -> None:
    from techmarket.core.navigation import POLICY_FINANCE

    from . import selectors
    from .forms import PolicyFilterForm
    from .models import Policy
    from .workspace import policies_panel

    registry.register(
        registry.CatalogueType(
            key="policies",
            model=Policy,
            label=_("政策"),
            order=80,
            list_visible=selectors.policy_list_visible_to,
            get_visible=selectors.policy_get_visible,
            pk_kwarg="policy_id",
            filter_form=PolicyFilterForm,
            api_router="techmarket.policies.api.router",
            navigation=registry.Navigation(_("政策"), group=POLICY_FINANCE, order=71),
            workspace_panel=policies_panel,
            quick_actions=(registry.QuickAction(_("录入政策"), "policies:create", audience="operator"),),
        )
    )
