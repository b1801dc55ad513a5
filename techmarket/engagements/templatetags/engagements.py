"""``{% engagement_panel item %}`` on a need's or an achievement's page: the broker's recommendations with
both sides' answers (and the forms to answer), the engagements on the item, and "发起对接" for brokers."""

from typing import Any

from django import template

from techmarket.accounts import roles

from .. import board, selectors

register = template.Library()


@register.inclusion_tag("engagements/_panel.html", takes_context=True)
def engagement_panel(context: Any, item: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    label = item._meta.model_name
    if not getattr(user, "is_authenticated", False) or label not in {"need", "achievement"}:
        return {"show": False}
    answers = list(selectors.answers_visible_to(user).filter(**{label: item})[:50])
    engagements = list(selectors.engagement_list_visible_to(user).filter(**{label: item})[:20])
    can_open = roles.is_broker_or_operator(user) and item.status in ("published", "in_progress")
    return {
        "show": bool(answers or engagements or can_open),
        "recs": board.group_recommendations(user, answers),
        "answerable": board.answerable_ids(user, answers),
        "engagements": engagements,
        "can_open": can_open,
        "open_query": f"{label}={item.pk}",
        "next": request.get_full_path(),
    }
