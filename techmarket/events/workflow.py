"""The event and registration lifecycles as workflow tables (techmarket.workflow)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, REQUESTER, SYSTEM, Action, Workflow

from . import notify
from .models import Event as E
from .models import Registration as R
from .permissions import is_organiser

ORGANISER = "organiser"


def event_actor_kinds(user: Any, event: E) -> set[str]:
    from techmarket.accounts import roles

    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if is_organiser(user, event):
        kinds.add(OWNER)
    return kinds


EVENT = engine.register(
    Workflow(
        name="events.event",
        model=E,
        actor_kinds=event_actor_kinds,
        reason_field="status_note",
        audit_prefix="events.event",
        listeners=(lambda e, action: notify.event_moved(e, action),),
        url=lambda e: reverse("events:detail", args=[e.pk]),
        actions={
            "publish": Action(
                _("发布"),
                (E.Status.DRAFT,),
                E.Status.PUBLISHED,
                (OWNER, OPERATOR),
                keep_stamps=("published_at",),
            ),
            "close": Action(_("结束活动"), (E.Status.PUBLISHED,), E.Status.CLOSED, (OWNER, OPERATOR, SYSTEM)),
            "cancel": Action(
                _("取消活动"),
                (E.Status.DRAFT, E.Status.PUBLISHED),
                E.Status.CANCELLED,
                (OWNER, OPERATOR),
                needs_reason=True,
                reason_message=_("取消活动必须说明原因，报名者会看到它。"),
            ),
        },
    )
)


def registration_actor_kinds(user: Any, registration: R) -> set[str]:
    kinds = set()
    if registration.user_id == getattr(user, "pk", None):
        kinds.add(REQUESTER)
    if is_organiser(user, registration.event):
        kinds.add(ORGANISER)
    return kinds


REGISTRATION = engine.register(
    Workflow(
        name="events.registration",
        model=R,
        actor_kinds=registration_actor_kinds,
        reason_field="status_note",
        audit_prefix="events.registration",
        listeners=(lambda r, action: notify.registration_moved(r, action),),
        url=lambda r: reverse("events:detail", args=[r.event_id]),
        actions={
            "approve": Action(
                _("通过"),
                (R.Status.PENDING, R.Status.WAITLISTED),
                R.Status.CONFIRMED,
                (ORGANISER,),
                stamps=("decided_at",),
                writes_reason=True,
            ),
            "reject": Action(
                _("不通过"),
                (R.Status.PENDING, R.Status.WAITLISTED),
                R.Status.REJECTED,
                (ORGANISER,),
                needs_reason=True,
                stamps=("decided_at",),
                reason_message=_("不通过报名必须说明原因，报名者会看到它。"),
            ),
            # The waiting list moves up by itself when a place frees (services.registration_cancel).
            "promote": Action(_("候补转正"), (R.Status.WAITLISTED,), R.Status.CONFIRMED, (SYSTEM,)),
            "promote_to_review": Action(_("候补转待审"), (R.Status.WAITLISTED,), R.Status.PENDING, (SYSTEM,)),
            "cancel": Action(
                _("取消报名"),
                (R.Status.PENDING, R.Status.CONFIRMED, R.Status.WAITLISTED),
                R.Status.CANCELLED,
                (REQUESTER, ORGANISER),
            ),
            "check_in": Action(
                _("签到"), (R.Status.CONFIRMED,), R.Status.ATTENDED, (ORGANISER,), stamps=("checked_in_at",)
            ),
        },
    )
)
