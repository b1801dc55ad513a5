"""Notices to an engagement's parties (after commit)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.notifications.services import notify_users

from .models import Engagement, Stage
from .selectors import party_users


def notify_stage_change(engagement_pk: int, action: str) -> int:
    engagement = Engagement.objects.unscoped().filter(pk=engagement_pk).first()
    if engagement is None:
        return 0
    if engagement.stage == Stage.TERMINATED:
        body = _("终止原因：%(r)s。%(n)s") % {
            "r": engagement.get_termination_reason_display(),
            "n": engagement.stage_note,
        }
    else:
        body = engagement.stage_note
    return notify_users(
        users=party_users(engagement),
        title=_("对接项目“%(t)s”进入“%(s)s”") % {"t": engagement.title, "s": engagement.get_stage_display()},
        body=body,
        url=reverse("engagements:detail", args=[engagement.pk]),
        item_key=f"eng:{engagement.pk}:{engagement.stage}",
    )
