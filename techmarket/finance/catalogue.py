"""Finance products in the catalogue registry: list, filters, API, navigation."""

from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry


def register() -> None:
    from techmarket.core.navigation import POLICY_FINANCE

    from . import selectors
    from .forms import ProductFilterForm
    from .models import FinanceProduct

    registry.register(
        registry.CatalogueType(
            key="finance",
            model=FinanceProduct,
            label=_("金融产品"),
            order=75,
            title_attr="name",
            list_visible=selectors.product_list_visible_to,
            get_visible=selectors.product_get_visible,
            pk_kwarg="product_id",
            filter_form=ProductFilterForm,
            api_router="techmarket.finance.api.router",
            navigation=registry.Navigation(_("金融产品"), group=POLICY_FINANCE, order=75),
        )
    )
