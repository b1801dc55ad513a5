"""Needs in the catalogue registry: everything shared code knows about this type is declared here."""

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry
from techmarket.catalog.models import is_listed_item, listed_only
from techmarket.catalog.workspace import listing_panel


def _sheet() -> Any:
    from .sheet import NEEDS

    return NEEDS


def duplicate_precheck(request: Any, need: Any, action: str) -> str:
    """Submitting a draft from its page: warn first when the platform already has a near-identical need
    (the page shows them with a "submit anyway" button that posts confirm_duplicate)."""
    from django.urls import reverse

    from .views import _duplicates_of

    if action not in ("submit", "resubmit") or request.POST.get("confirm_duplicate"):
        return ""
    if not _duplicates_of(request.user, need):
        return ""
    return f"{reverse('needs:detail', args=[need.pk])}?check=duplicates#duplicate-warning"


def register() -> None:
    from . import matching, selectors
    from .forms import NeedFilterForm
    from .models import Need

    ctype = registry.CatalogueType(
        key="needs",
        model=Need,
        label=_("技术需求"),
        order=10,
        list_visible=selectors.need_list_visible_to,
        get_visible=selectors.need_get_visible,
        pk_kwarg="need_id",
        filter_form=NeedFilterForm,
        saved_search=True,
        expires=True,
        review=True,
        import_spec=_sheet,
        api_router="techmarket.needs.api.router",
        matching=registry.MatchingSpec(
            kind="need",
            document=matching.need_document,
            indexable=matching.indexable_needs,
            is_indexable=is_listed_item,
            listed=listed_only,
            suggests=("achievements", "experts"),
            tab_label=_("匹配的技术需求"),
            on_published=matching.rematch_need,
            receives_recommendations=True,
            workbench_target="achievements",
            workbench_card="needs/_workbench_source.html",
        ),
        navigation=registry.Navigation(_("需求")),
        pages=registry.ListingPages(
            list_title=_("技术需求"),
            mine_title=_("本机构的需求"),
            review_title=_("待审核的需求"),
            action_success=_("操作成功：需求当前状态为“%(s)s”。"),
            owner_noun=_("需求方"),
            list_template="needs/need_list.html",
            precheck=duplicate_precheck,
        ),
        quick_actions=(
            registry.QuickAction(_("发布技术需求"), "needs:create", style="btn-primary"),
            registry.QuickAction(
                _("审核需求"), "needs:review", audience="operator", style="btn-outline-warning"
            ),
        ),
    )
    from techmarket.core.workspace_actions import NEED_OWNER_KINDS

    ctype = replace(ctype, extra={**ctype.extra, "owner_kinds": NEED_OWNER_KINDS})
    registry.register(replace(ctype, workspace_panel=listing_panel(ctype)))
