"""Experts in the catalogue registry: everything shared code knows about this type is declared here."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.catalog import registry


def _sheet() -> Any:
    from .sheet import EXPERTS

    return EXPERTS


def register() -> None:
    from . import matching, selectors
    from .forms import ExpertFilterForm
    from .models import Expert
    from .workspace import experts_panel

    registry.register(
        registry.CatalogueType(
            key="experts",
            model=Expert,
            label=_("专家人才"),
            order=30,
            title_attr="name",
            list_visible=selectors.expert_list_visible_to,
            get_visible=selectors.expert_get_visible,
            pk_kwarg="expert_id",
            filter_form=ExpertFilterForm,
            saved_search=True,
            import_spec=_sheet,
            api_router="techmarket.experts.api.router",
            matching=registry.MatchingSpec(
                kind="expert",
                document=matching.expert_document,
                indexable=matching.indexable_experts,
                is_indexable=matching.is_active,
                listed=matching.active_only,
                suggests=("needs",),
                tab_label=_("匹配的专家"),
            ),
            navigation=registry.Navigation(pgettext_lazy("main menu", "专家人才")),
            workspace_panel=experts_panel,
        )
    )
