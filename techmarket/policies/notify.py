"""In-site notices (and e-mail): a policy pushed to an enterprise, an application decided or paid."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.core.money import money
from techmarket.notifications.services import notify_users


def _members(organization: Any) -> list[Any]:
    from techmarket.orgs.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(organization=organization, is_active=True).select_related("user")
    ]


def policy_pushed(push: Any) -> int:
    if push.eligible:
        title = _("政策推送：贵企业符合“%(p)s”的申报条件") % {"p": push.policy.title}
        body = _("符合情况：") + "；".join(push.reasons)
    else:
        title = _("政策推送：贵企业差一项即可申报“%(p)s”") % {"p": push.policy.title}
        body = _("符合情况：") + "；".join(push.reasons)
    return notify_users(
        users=_members(push.organization),
        title=title,
        body=body,
        url=reverse("policies:detail", args=[push.policy_id]) + f"?org={push.organization_id}",
        item_key=f"policies.push:{push.pk}" + (":eligible" if push.eligible else ""),
        email=True,
    )


def application_decided(application: Any, action: str) -> None:
    titles = {
        "approve": _("“%(p)s”的申请已核定，核定金额 %(a)s"),
        "reject": _("“%(p)s”的申请未通过"),
        "pay": _("“%(p)s”的资金已拨付：%(a)s"),
    }
    if action not in titles:
        return
    amount = application.paid_amount if action == "pay" else application.approved_amount
    notify_users(
        users=[m for m in _members(application.organization)],
        title=titles[action] % {"p": application.policy.title, "a": money(amount, "元")},
        body=application.decision_note,
        url=reverse("policies:application", args=[application.pk]),
        item_key=f"policies.application:{application.pk}:{action}",
        email=True,
    )
