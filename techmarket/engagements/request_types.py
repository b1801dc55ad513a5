"""The two sides' answers to a broker's recommendation: 有意向对接 (approve) or 暂不考虑 (reject, with a
reason the broker and the other side see). An unanswered one is reminded to the broker, then the operators
(the kernel's overdue task); the deadline is REQUEST_DUE_WORKING_DAYS["engagements.recommendation_answer"]."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.decisions.types import RequestType, register_request_type

from .models import RecommendationAnswer


def may_answer(user: Any, answer: RecommendationAnswer) -> bool:
    if answer.expert_id and answer.expert and answer.expert.user_id == user.pk:
        return True
    return roles.is_org_member(user, answer.organization)


def _url(answer: RecommendationAnswer) -> str:
    return reverse("engagements:answers")


ANSWER = register_request_type(
    RequestType(
        name="engagements.recommendation_answer",
        model=RecommendationAnswer,
        requester_field="broker",
        subject=lambda a: a.need,
        may_decide=may_answer,
        deciders=lambda a: [a.broker] if a.broker else [],
        due_working_days=5,
        reason_on_reject=True,
        approve_label=_("有意向对接"),
        reject_label=_("暂不考虑"),
        audit_prefix="engagements.answer",
        url=_url,
    )
)
