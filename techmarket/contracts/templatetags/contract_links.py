"""The contracts panel of an engagement page: its contracts the user may see, and "录入技术合同"."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("contracts/_engagement_panel.html", takes_context=True)
def engagement_contracts(context: Any, engagement: Any) -> dict[str, Any]:
    from techmarket.accounts import roles
    from techmarket.engagements.selectors import is_party_user

    from ..selectors import contract_list_visible_to

    user = context["request"].user
    contracts = list(contract_list_visible_to(user).filter(engagement=engagement))
    return {
        "engagement": engagement,
        "contracts": contracts,
        "can_record": roles.is_operator(user) or is_party_user(user, engagement),
    }
