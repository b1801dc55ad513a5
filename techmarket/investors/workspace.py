"""The investors panel of the workspace: an investor's funds and interests, the platform's interests to
arrange, an enterprise's finance seekings and the interests it received."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import FinanceSeeking, Interest
from .selectors import (
    enterprise_organisations,
    fund_list_visible_to,
    interests_visible_to,
    investor_organisations,
    is_platform_side,
    seeking_list_visible_to,
)


def panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    links = []
    investors = investor_organisations(user)
    if investors:
        funds = fund_list_visible_to(user).filter(manager__in=investors).count()
        links.append((_("本机构的基金与匹配推荐"), reverse("investors:list"), funds))
    if is_platform_side(user):
        waiting = interests_visible_to(user, status=Interest.Status.OPEN).count()
        links.append((_("待安排的投资意向"), reverse("investors:interests") + "?status=open", waiting))
    elif investors or enterprise_organisations(user):
        links.append((_("投资意向"), reverse("investors:interests"), interests_visible_to(user).count()))
    enterprises = enterprise_organisations(user)
    if enterprises:
        mine = seeking_list_visible_to(user, status=FinanceSeeking.Status.OPEN).filter(
            organization__in=enterprises
        )
        links.append((_("本企业的融资需求"), reverse("investors:seekings"), mine.count()))
    if not links:
        return None
    return {"title": _("投融资"), "links": links}
