"""A broker's recommendation, answered by both sides; two yes answers open an engagement."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.decisions.services import request_decide, request_open

from .models import Origin, RecommendationAnswer, Side
from .request_types import ANSWER


def _supply_of(other: Any) -> tuple[Any, Any, Any]:
    """(organisation, achievement, expert) of the recommended supply item."""
    label = other._meta.label_lower
    if label == "achievements.achievement":
        return other.owner, other, None
    if label == "experts.expert":
        return other.affiliation, None, other
    return None, None, None


def on_recommendation(*, feedback: Any, need: Any, other: Any, broker: Any) -> None:
    """matching's recommendation listener: ask the demand and the supply side (inside its transaction)."""
    org, achievement, expert = _supply_of(other)
    if org is None or org.pk == need.owner_id:
        return
    pending = RecommendationAnswer.objects.unscoped().filter(
        need=need,
        achievement=achievement,
        expert=expert,
        status=RecommendationAnswer._meta.get_field("status").default,
    )
    if pending.exists():
        return
    for side, organization in ((Side.DEMAND, need.owner), (Side.SUPPLY, org)):
        request_open(
            request_type=ANSWER,
            obj=RecommendationAnswer(
                recommendation=feedback,
                need=need,
                achievement=achievement,
                expert=expert,
                side=side,
                organization=organization,
                broker=broker,
                note=feedback.reason,
            ),
            acting_user=broker,
            after={"side": side, "organization": organization.pk, "need": need.pk},
        )


def recommendation_answer(
    *,
    answer: RecommendationAnswer,
    acting_user: Any,
    interested: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> RecommendationAnswer:
    """有意向对接 / 暂不考虑 (reason required, seen by the broker and the other side). When both sides said
    yes, the engagement opens at once with the recommending broker as lead."""
    if not interested and not (reason or "").strip():
        raise ValidationError({"reason": _("选择“暂不考虑”时请填写原因，经纪人和对方都会看到它。")})
    with transaction.atomic():
        request_decide(
            request_type=ANSWER,
            obj=answer,
            acting_user=acting_user,
            approve=interested,
            reason=reason,
            expected_state=expected_state,
        )
        if interested:
            _open_if_both_agree(answer)
    return answer


def _open_if_both_agree(answer: RecommendationAnswer) -> None:
    from .services import engagement_open

    pair = list(
        RecommendationAnswer.objects.unscoped()
        .select_for_update()
        .filter(recommendation_id=answer.recommendation_id)
    )
    if len(pair) != 2 or any(a.status != "approved" for a in pair) or any(a.engagement_id for a in pair):
        return
    demand = next(a for a in pair if a.side == Side.DEMAND)
    supply = next(a for a in pair if a.side == Side.SUPPLY)
    if demand.broker is None:
        raise PermissionDenied(_("推荐经纪人已不在平台，请联系平台运营创建对接项目。"))
    other = supply.achievement or supply.expert
    engagement = engagement_open(
        acting_user=demand.broker,
        title=str(
            _("%(need)s × %(other)s")
            % {
                "need": demand.need.title,
                "other": getattr(other, "title", None) or getattr(other, "name", ""),
            }
        )[:120],
        demand_org=demand.organization,
        supply_org=supply.organization,
        experts=[supply.expert] if supply.expert else [],
        lead_broker=demand.broker,
        need=demand.need,
        achievement=supply.achievement,
        origin=Origin.RECOMMENDATION,
        summary=demand.note,
        recommendation=demand.recommendation,
    )
    RecommendationAnswer.objects.unscoped().filter(pk__in=[a.pk for a in pair]).update(engagement=engagement)
    answer.engagement = engagement
