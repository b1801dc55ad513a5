"""How needs take part in matching: the document the engine indexes and the re-match after publication."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from techmarket.catalog.models import LISTED_STATUSES
from techmarket.core.text import word_list
from techmarket.matching.documents import doc_id, industry_code, join_text, modes
from techmatch import Document

from .models import Need

# Cooperation modes in the engine's vocabulary. 合作方式匹配 fires on a shared label, so a need asking
# for 委托开发 and an achievement offered for 合作开发 meet on 技术开发.
NEED_MODES = {
    "commissioned": ["技术开发"],
    "joint": ["技术开发", "合作开发"],
    "transfer": ["转让"],
    "license": ["许可"],
    "talent": ["人才引进"],
    "platform": ["共建平台"],
}


def need_document(need: Need) -> Document:
    """Public part only: summary, problem, expected outcome and the indicator table."""
    params = "；".join(
        " ".join(str(p.get(k, "") or "") for k in ("indicator", "target", "unit")).strip()
        for p in need.parameters or []
        if isinstance(p, dict)
    )
    return Document(
        id=doc_id(need),
        kind="need",
        title=need.title,
        body=join_text(need.summary, need.problem, need.expected_outcome, params),
        industries=[industry_code(need.industry)] if need.industry_id else [],
        region=need.region_id or getattr(need.owner, "region_id", None),
        trl=None,
        modes=modes(need.cooperation_modes, NEED_MODES),
        updated=need.updated_at.date() if need.updated_at else None,
        owner=f"org:{need.owner_id}",
    )


def indexable_needs() -> QuerySet[Need]:
    return Need.objects.unscoped().filter(status__in=LISTED_STATUSES).select_related("owner", "industry")


def rematch_need(need: Need) -> dict[str, int]:
    """A new need's organisation hears about matching achievements it may see."""
    from techmarket.matching import services

    matches = services.matches_for(need, "achievement")
    notified = 0
    for user in services.members_of(need.owner_id):
        visible = [a for a in matches if services.can_see(user, a)]
        if visible and services.can_see(user, need):
            titles = word_list(f"“{a.title}”" for a in visible[:5])  # type: ignore[attr-defined]
            notified += services.notify_match(
                user,
                item=need,
                title=_("您的需求“%(title)s”有 %(n)s 项匹配的科技成果")
                % {"title": need.title, "n": len(visible)},
                body=_("匹配成果：%(titles)s") % {"titles": titles},
            )
    return {"matches": len(matches), "notified": notified}
