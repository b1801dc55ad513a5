"""Facilities in the catalogue registry: list, API, navigation, quick action."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.catalog import registry


def register() -> None:
    from . import selectors
    from .forms import FacilityFilterForm
    from .models import Facility
    from .workspace import facilities_panel

    registry.register(
        registry.CatalogueType(
            key="facilities",
            model=Facility,
            label=_("概念验证与中试"),
            order=70,
            list_visible=selectors.facility_list_visible_to,
            get_visible=selectors.facility_get_visible,
            pk_kwarg="facility_id",
            filter_form=FacilityFilterForm,
            api_router="techmarket.facilities.api.router",
            navigation=registry.Navigation(pgettext_lazy("main menu", "概念验证与中试")),
            workspace_panel=facilities_panel,
            quick_actions=(registry.QuickAction(_("登记服务平台"), "facilities:create"),),
        )
    )
