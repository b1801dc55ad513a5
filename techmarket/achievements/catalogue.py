"""Achievements in the catalogue registry: everything shared code knows about this type is declared here."""

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry
from techmarket.catalog.models import is_listed_item, listed_only
from techmarket.catalog.workspace import listing_panel


def _sheet() -> Any:
    from .sheet import ACHIEVEMENTS

    return ACHIEVEMENTS


def _transition(*, item: Any, **kwargs: Any) -> Any:
    from .services import achievement_transition

    return achievement_transition(achievement=item, **kwargs)


def register() -> None:
    from . import matching, selectors, views
    from .forms import AchievementFilterForm
    from .models import Achievement

    ctype = registry.CatalogueType(
        key="achievements",
        model=Achievement,
        label=_("科技成果"),
        order=20,
        list_visible=selectors.achievement_list_visible_to,
        get_visible=selectors.achievement_get_visible,
        pk_kwarg="achievement_id",
        filter_form=AchievementFilterForm,
        saved_search=True,
        expires=True,
        review=True,
        import_spec=_sheet,
        api_router="techmarket.achievements.api.router",
        matching=registry.MatchingSpec(
            kind="achievement",
            document=matching.achievement_document,
            indexable=matching.indexable_achievements,
            is_indexable=is_listed_item,
            listed=listed_only,
            suggests=("needs",),
            tab_label=_("匹配的科技成果"),
            on_published=matching.rematch_achievement,
            trl_filter=True,
            mode_filter=True,
        ),
        navigation=registry.Navigation(_("成果")),
        pages=registry.ListingPages(
            list_title=_("科技成果"),
            mine_title=_("本机构的成果"),
            review_title=_("待审核的成果"),
            action_success=_("操作成功：成果当前状态为“%(s)s”。"),
            owner_noun=_("成果方"),
            list_template="achievements/achievement_list.html",
            rows=views.list_rows,
            transition=_transition,
        ),
        quick_actions=(
            registry.QuickAction(_("发布科技成果"), "achievements:create"),
            registry.QuickAction(
                _("从 Excel 批量导入成果"), "imports:upload", ("achievements",), style="btn-outline-secondary"
            ),
            registry.QuickAction(
                _("审核成果"), "achievements:review", audience="operator", style="btn-outline-warning"
            ),
        ),
    )
    from techmarket.core.workspace_actions import ACHIEVEMENT_OWNER_KINDS

    ctype = replace(ctype, extra={**ctype.extra, "owner_kinds": ACHIEVEMENT_OWNER_KINDS})
    registry.register(replace(ctype, workspace_panel=listing_panel(ctype)))
