"""The events panel of the workspace: my registrations, and the events my organisation runs."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .selectors import event_list_visible_to, registrations_of


def events_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    from techmarket.accounts import roles

    mine = registrations_of(user).count()
    orgs = [o.pk for o in roles.user_organizations(user)]
    organised = event_list_visible_to(user).filter(organiser_id__in=orgs).count() if orgs else 0
    if not mine and not organised:
        return None
    return {
        "title": _("对接活动"),
        "links": [
            (_("我的报名与日程"), reverse("events:mine"), mine),
            (_("本机构主办的活动"), reverse("events:organised"), organised),
        ],
    }
