"""The 揭榜挂帅 panel of the workspace: one's applications, review tasks and the organisation's challenges."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.decisions.models import RequestStatus

from . import selectors
from .models import Panel


def challenges_panel(user: Any) -> dict[str, Any] | None:
    applications = selectors.application_list_visible_to(user).filter(requested_by_id=user.pk)
    seats = selectors.my_panel_seats(user).filter(panel__status=Panel.Status.SCORING)
    own = selectors.challenge_list_visible_to(user).filter(owner__memberships__user=user).distinct()
    invitations = selectors.my_team_invitations(user).filter(status=RequestStatus.PENDING)
    counts = (
        applications.filter(status=RequestStatus.PENDING).count(),
        seats.count(),
        own.count(),
        invitations.count(),
    )
    if not any(counts) and not applications.exists():
        return None
    return {
        "title": _("揭榜挂帅"),
        "links": [
            *([(_("待答复的组阁邀请"), reverse("challenges:applications"), counts[3])] if counts[3] else []),
            (_("我的揭榜申报（评审中）"), reverse("challenges:applications"), counts[0]),
            (_("待完成的评审"), reverse("challenges:reviews"), counts[1]),
            (_("本机构发布的榜单"), reverse("challenges:list") + "?mine=1", counts[2]),
        ],
    }
