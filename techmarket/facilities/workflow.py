"""The facility and project lifecycles as workflow tables (techmarket.workflow).

Orders: after the facility's quote (the booking request's decision, request_types.py) the requester accepts
or refuses it, the facility schedules it in its capacity calendar, delivers a report and the requester rates.

A facility is piloted first and recognised later (先试点、后认定). Recognition and the revocation of a
recognised facility are moves of the recognition path only (recognition.py: application or periodic
evaluation, panel, decision, 公示): the facility page does not offer them and the preconditions refuse them
without the concluded round. An operator may end a pilot (终止试点) directly, with a reason. A project's outcome moves 进行中 → 已通过验证 → 已转化 by the facility's managers.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow

from .models import Booking as B
from .models import Facility as F
from .models import Project as P
from .permissions import may_manage


def facility_actor_kinds(user: Any, facility: F) -> set[str]:
    from techmarket.accounts import roles

    kinds = set()
    if getattr(user, "is_authenticated", False) and roles.is_operator(user):
        kinds.add(OPERATOR)
    if getattr(user, "is_authenticated", False) and roles.is_org_admin(user, facility.owner):
        kinds.add(OWNER)
    return kinds


def facility_preconditions(facility: F, action: str) -> list[str]:
    """Recognition goes through the recognition path (recognition.py): application, panel, decision, 公示."""
    if action == "recognise":
        from .models import Recognition

        passed = Recognition.objects.unscoped().filter(
            facility=facility,
            kind=Recognition.Kind.APPLICATION,
            status=Recognition.Status.PASSED,
            outcome=True,
            concluded_at__isnull=False,
        )
        if not passed.exists():
            return [str(_("认定须经依托单位申报、专家评审、运营决定和公示后办结，请在“认定与评价”中办理。"))]
    if action == "revoke":
        from .models import Recognition

        failed = Recognition.objects.unscoped().filter(
            facility=facility,
            kind=Recognition.Kind.EVALUATION,
            status=Recognition.Status.FAILED,
            outcome=False,
            concluded_at__isnull=False,
        )
        if not failed.exists():
            return [str(REVOKE_ONLY_BY_EVALUATION)]
    return []


REVOKE_ONLY_BY_EVALUATION = _(
    "已认定的平台不能直接撤销：撤销须经周期评价。请在“认定与评价”中发起定期评价，经专家评审、运营决定和公示，"
    "评价未通过的平台在办结时撤销。"
)
# Moves made only by the recognition path (recognition.recognition_conclude), never offered on the facility page.
RECOGNITION_PATH_ACTIONS = frozenset({"recognise", "revoke"})


FACILITY = engine.register(
    Workflow(
        name="facilities.facility",
        model=F,
        actor_kinds=facility_actor_kinds,
        preconditions=facility_preconditions,
        reason_field="status_note",
        audit_prefix="facilities.facility",
        url=lambda f: reverse("facilities:detail", args=[f.pk]),
        actions={
            "recognise": Action(
                _("认定"),
                (F.Status.TRIAL,),
                F.Status.RECOGNISED,
                (OPERATOR,),
                stamps=("recognised_at",),
                writes_reason=True,
            ),
            # the conclusion of a failed periodic evaluation (see facility_preconditions)
            "revoke": Action(
                _("撤销认定"),
                (F.Status.RECOGNISED,),
                F.Status.REVOKED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("revoked_at",),
                reason_message=_("撤销必须说明原因，依托单位会看到它。"),
            ),
            "end_trial": Action(
                _("终止试点"),
                (F.Status.TRIAL,),
                F.Status.REVOKED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("revoked_at",),
                reason_message=_("终止试点必须说明原因，依托单位会看到它。"),
            ),
        },
    )
)


def project_actor_kinds(user: Any, project: P) -> set[str]:
    return {OWNER} if may_manage(user, project.facility) else set()


PROJECT = engine.register(
    Workflow(
        name="facilities.project",
        model=P,
        actor_kinds=project_actor_kinds,
        reason_field="status_note",
        audit_prefix="facilities.project",
        url=lambda p: reverse("facilities:detail", args=[p.facility_id]),
        actions={
            "verify": Action(
                _("通过验证"), (P.Status.RUNNING,), P.Status.VERIFIED, (OWNER,), stamps=("verified_at",)
            ),
            "transfer": Action(
                _("已转化"), (P.Status.VERIFIED,), P.Status.TRANSFERRED, (OWNER,), stamps=("transferred_at",)
            ),
            "stop": Action(
                pgettext_lazy("action", "终止"),
                (P.Status.RUNNING,),
                P.Status.STOPPED,
                (OWNER,),
                needs_reason=True,
                reason_message=_("终止项目必须说明原因。"),
            ),
        },
    )
)


# ---------------------------------------------------------------- orders (bookings after the quote)

REQUESTER_SIDE, PROVIDER_SIDE = "requester", "provider"


def order_actor_kinds(user: Any, booking: B) -> set[str]:
    """The requester side: members of the requesting organisation (and the person who asked, e.g. the broker
    of the engagement); the provider side: the facility's managers (administrators of its organisation,
    operators)."""
    from techmarket.accounts import roles

    kinds = set()
    if booking.requested_by_id == user.pk or roles.is_org_member(user, booking.organization):
        kinds.add(REQUESTER_SIDE)
    if may_manage(user, booking.facility):
        kinds.add(PROVIDER_SIDE)
    return kinds


def order_preconditions(booking: B, action: str) -> list[str]:
    """A delivery needs its report among the booking's documents (booking_deliver uploads it first)."""
    if action == "deliver":
        from django.contrib.contenttypes.models import ContentType

        from techmarket.documents.models import Document

        kind = ContentType.objects.get_for_model(B)
        if not Document.objects.filter(content_type=kind, object_id=booking.pk).exists():
            return [str(_("交付前须上传服务报告（PDF 或 Word 文档）。"))]
    return []


ORDER = engine.register(
    Workflow(
        name="facilities.order",
        model=B,
        actor_kinds=order_actor_kinds,
        reason_field="order_note",
        audit_prefix="facilities.booking",
        preconditions=order_preconditions,
        url=lambda b: reverse("facilities:booking", args=[b.pk]),
        audit_fields=(
            "status",
            "quote_price",
            "quote_date",
            "starts_at",
            "ends_at",
            "report_id",
            "rating",
            "accepted_at",
            "scheduled_at",
            "delivered_at",
            "evaluated_at",
        ),  # fmt: skip
        actions={
            "requote": Action(
                _("修改报价"), (B.Status.QUOTED,), B.Status.QUOTED, (PROVIDER_SIDE,), stamps=("quoted_at",)
            ),
            "accept": Action(
                _("接受报价"),
                (B.Status.QUOTED,),
                B.Status.ACCEPTED,
                (REQUESTER_SIDE,),
                stamps=("accepted_at",),
            ),
            "refuse": Action(
                _("不接受报价"),
                (B.Status.QUOTED,),
                B.Status.CANCELLED,
                (REQUESTER_SIDE,),
                needs_reason=True,
                reason_message=_("不接受报价请说明原因，服务平台会看到它。"),
            ),
            "schedule": Action(
                _("排期"),
                (B.Status.ACCEPTED, B.Status.SCHEDULED),
                B.Status.SCHEDULED,
                (PROVIDER_SIDE,),
                stamps=("scheduled_at",),
            ),
            "deliver": Action(
                _("交付报告"),
                (B.Status.SCHEDULED,),
                B.Status.DELIVERED,
                (PROVIDER_SIDE,),
                stamps=("delivered_at",),
                writes_reason=True,
            ),
            "evaluate": Action(
                _("评价"),
                (B.Status.DELIVERED,),
                B.Status.EVALUATED,
                (REQUESTER_SIDE,),
                stamps=("evaluated_at",),
            ),
            "cancel": Action(
                _("取消"),
                (B.Status.ACCEPTED, B.Status.SCHEDULED),
                B.Status.CANCELLED,
                (REQUESTER_SIDE, PROVIDER_SIDE),
                needs_reason=True,
                reason_message=_("取消必须说明原因，对方会看到它。"),
            ),
        },
    )
)
