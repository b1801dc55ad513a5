"""The one periodic job over every registered workflow: overdue reminders and the calendar check."""

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import engine
from .selectors import operator_users, overdue
from .workdays import add_working_days, calendar_check


def _key(kind: str, workflow: engine.Workflow, obj: Any, due: Any) -> str:
    # One notice per person, object and due time: a new due time (after a new round) reminds again.
    return f"wf:{kind}:{workflow.name}:{obj.pk}:{due:%Y%m%d%H%M}"[:64]


def overdue_notify(*, now: Any = None) -> dict[str, int]:
    """Remind the people responsible for every overdue object once; after WORKFLOW_OVERDUE_GRACE_WORKING_DAYS
    more working days, tell the operators once. Safe to run as often as wanted (no duplicate notices)."""
    from techmarket.notifications.services import notify_users

    now = now or timezone.now()
    grace = settings.WORKFLOW_OVERDUE_GRACE_WORKING_DAYS
    operators: list[Any] | None = None
    counts = {"overdue": 0, "reminded": 0, "escalated": 0}
    for workflow in engine.registered():
        if not workflow.due_field or workflow.responsible is None:
            continue
        for obj in overdue(workflow, now=now).iterator(chunk_size=200):
            due = getattr(obj, workflow.due_field)
            counts["overdue"] += 1
            url = workflow.url(obj) if workflow.url else ""
            state = workflow.state_label(obj, workflow.state_of(obj))
            title = _("已超期：%(o)s（%(s)s）") % {"o": str(obj)[:60], "s": state}
            body = _("办理时限为 %(d)s，已经超期，请尽快处理。") % {
                "d": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"
            }
            counts["reminded"] += notify_users(
                users=list(workflow.responsible(obj)),
                title=title,
                body=body,
                url=url,
                item_key=_key("od", workflow, obj, due),
                email=True,
            )
            if add_working_days(due, grace) <= now:
                if operators is None:
                    operators = list(operator_users())
                counts["escalated"] += notify_users(
                    users=operators,
                    url=url,
                    item_key=_key("op", workflow, obj, due),
                    email=True,
                    title=_("超期未处理：%(o)s（%(s)s）") % {"o": str(obj)[:60], "s": state},
                    body=_("办理时限为 %(d)s，超期已超过 %(g)s 个工作日，请督办。")
                    % {"d": f"{timezone.localtime(due):%Y-%m-%d %H:%M}", "g": grace},
                )
    return counts


def workflow_periodic(*, now: Any = None) -> dict[str, int]:
    counts = overdue_notify(now=now)
    counts["calendar_warnings"] = calendar_check(now=now)
    return counts
