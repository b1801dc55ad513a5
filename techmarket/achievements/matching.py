"""How achievements take part in matching: the indexed document and the re-match after publication."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from techmarket.catalog.models import LISTED_STATUSES
from techmarket.core.text import word_list
from techmarket.matching.documents import disciplines, doc_id, industry_code, join_text, modes
from techmatch import Document

from .models import Achievement

ACHIEVEMENT_MODES = {
    "transfer": ["转让"],
    "exclusive_license": ["许可"],
    "sole_license": ["许可"],
    "ordinary_license": ["许可"],
    "equity": ["作价入股"],
    "joint_development": ["技术开发", "合作开发"],
    "pay_after_use": ["许可", "先使用后付费"],
}
STAGE_LABELS = {"lab": "实验室", "bench": "小试", "pilot": "中试", "industrial": "产业化"}


def achievement_document(achievement: Achievement) -> Document:
    return Document(
        id=doc_id(achievement),
        kind="achievement",
        title=achievement.title,
        body=join_text(achievement.summary, achievement.advantages),
        keywords=[str(k) for k in achievement.keywords or [] if str(k).strip()],
        industries=[industry_code(i) for i in achievement.industries.all()],
        disciplines=disciplines([achievement.discipline_id] if achievement.discipline_id else []),
        region=achievement.region_id or getattr(achievement.owner, "region_id", None),
        trl=achievement.trl,
        stage=STAGE_LABELS.get(achievement.stage),
        modes=modes(achievement.transfer_modes, ACHIEVEMENT_MODES),
        updated=achievement.updated_at.date() if achievement.updated_at else None,
        owner=f"org:{achievement.owner_id}",
    )


def indexable_achievements() -> QuerySet[Achievement]:
    return (
        Achievement.objects.unscoped()
        .filter(status__in=LISTED_STATUSES)
        .select_related("owner")
        .prefetch_related("industries")
    )


def rematch_achievement(achievement: Achievement) -> dict[str, int]:
    """A new achievement is offered to the owners of matching open needs and to the broker each need is
    assigned to (its caseload, techmarket.engagements), each hearing only about the needs they may see."""
    from techmarket.engagements.selectors import assigned_brokers
    from techmarket.matching import services

    needs = services.matches_for(achievement, "need")
    broker_of = assigned_brokers([n.pk for n in needs])
    per_user: dict[int, tuple[Any, list[Any]]] = {}
    for need in needs:
        broker = broker_of.get(need.pk)
        for user in services.members_of(need.owner_id) + ([broker] if broker else []):  # type: ignore[attr-defined]
            if user.pk not in per_user:
                per_user[user.pk] = (user, [])
            per_user[user.pk][1].append(need)
    notified = 0
    for user, user_needs in per_user.values():
        if not services.can_see(user, achievement):
            continue
        visible = [n for n in user_needs if services.can_see(user, n)]
        if visible:
            titles = word_list(f"“{n.title}”" for n in visible[:5])  # type: ignore[attr-defined]
            notified += services.notify_match(
                user,
                item=achievement,
                title=_("新成果“%(title)s”可能满足 %(n)s 项需求")
                % {"title": achievement.title, "n": len(visible)},
                body=_("相关需求：%(titles)s") % {"titles": titles},
            )
    return {"matches": len(needs), "notified": notified}
