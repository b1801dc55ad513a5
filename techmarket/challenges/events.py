"""After a challenge is published: matching proposes experts (and so their teams) and tells them."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.catalog.scopes import system_context
from techmarket.core.money import money
from techmarket.experts.models import Expert

from .models import Challenge

MAX_NOTIFIED = 20


def suggested_experts(challenge: Challenge, *, limit: int = MAX_NOTIFIED) -> list[Expert]:
    """Experts the matching engine suggests for the source need, then experts of the challenge's industry
    (GB/T 4754 major class); never the enterprise's own people."""
    from .review import _suggested

    found: dict[int, Expert] = {}
    for expert in _suggested(challenge):
        if expert.is_active and expert.affiliation_id != challenge.owner_id:
            found.setdefault(expert.pk, expert)
    if challenge.industry_id:
        by_field = (
            Expert.objects.unscoped()
            .filter(is_active=True, industries__code__startswith=str(challenge.industry_id)[:2])
            .exclude(affiliation_id=challenge.owner_id)
            .select_related("affiliation", "user")
            .distinct()
            .order_by("pk")[: limit * 2]
        )
        for expert in by_field:
            found.setdefault(expert.pk, expert)
    return list(found.values())[:limit]


def notify_matching_teams(challenge: Challenge, action: str) -> None:
    """Listener of the challenge workflow (after commit): on publication, notify the suggested experts."""
    if action != "publish":
        return
    from techmarket.notifications.services import notify_users

    with system_context():
        experts = suggested_experts(challenge)
        users = [e.user for e in experts if e.user is not None and e.user.is_active]
        notify_users(
            users=users,
            title=_("新发布的揭榜榜单与您的研究方向相关：%(t)s") % {"t": challenge.title},
            body=_("榜单金额 %(m)s，揭榜截止 %(d)s（北京时间）。欢迎组建团队揭榜。")
            % {
                "m": money(challenge.funding_total, "万元"),
                "d": f"{timezone.localtime(challenge.deadline):%Y-%m-%d %H:%M}",
            },
            url=reverse("challenges:detail", args=[challenge.pk]),
            item_key=f"challenge-match:{challenge.pk}",
        )


def listener(obj: Any, action: str) -> None:
    notify_matching_teams(obj, action)
    notify_re_review(obj, action)


def notify_re_review(challenge: Challenge, action: str) -> None:
    """An objection upheld in 公示 sent the challenge back to review: the applying teams hear why."""
    if action != "re_review":
        return
    from techmarket.notifications.services import notify_users

    from .models import Application

    apps = (
        Application.objects.unscoped()
        .filter(challenge=challenge, status="pending")
        .select_related("requested_by")
    )
    notify_users(
        users=[a.requested_by for a in apps],
        title=_("公示异议成立，榜单重新评审：%(t)s") % {"t": challenge.title},
        body=challenge.status_note,
        url=reverse("challenges:detail", args=[challenge.pk]),
        item_key=f"challenge-re-review:{challenge.pk}:{challenge.publicity_started_at:%Y%m%d%H%M%S}",
    )


def application_decided(application: Any, action: str) -> None:
    """The team hears the decision (揭榜成功 or not) with the reason it sees on the page."""
    if action not in ("approve", "reject"):
        return
    from techmarket.notifications.services import notify_users

    title = (_("揭榜成功：%(t)s") if action == "approve" else _("揭榜结果：%(t)s 未入选")) % {
        "t": application.challenge.title
    }
    notify_users(
        users=[application.requested_by],
        title=title,
        body=application.decision_note,
        url=reverse("challenges:application", args=[application.pk]),
        item_key=f"challenge-app:{application.pk}:{action}",
        email=True,
    )


def panel_scoring_started(panel: Any, action: str) -> None:
    """Seated reviewers are told that their review tasks are open."""
    if action != "start_scoring":
        return
    from techmarket.notifications.services import notify_users

    from .models import PanelMember

    users = [
        m.expert.user
        for m in PanelMember.objects.unscoped().filter(panel=panel).select_related("expert__user")
        if m.expert.user is not None
    ]
    notify_users(
        users=users,
        title=_("评审任务：%(t)s") % {"t": panel.title},
        body=_("请在“我的评审任务”中逐项评分；评分提交后不能修改。"),
        url=reverse("challenges:reviews"),
        item_key=f"panel-start:{panel.pk}",
        email=True,
    )


def invitation_answered(invitation: Any, action: str) -> None:
    """The operator who invited hears the expert's answer (组阁制)."""
    if action not in ("approve", "reject"):
        return
    from techmarket.notifications.services import notify_users

    title = (
        _("%(n)s 接受了组阁邀请：%(t)s") if action == "approve" else _("%(n)s 谢绝了组阁邀请：%(t)s")
    ) % {
        "n": invitation.expert.name,
        "t": invitation.challenge.title,
    }
    notify_users(
        users=[invitation.invited_by],
        title=title,
        body=invitation.decision_note,
        url=reverse("challenges:team", args=[invitation.challenge_id]),
        item_key=f"challenge-invite:{invitation.pk}:{action}",
    )
