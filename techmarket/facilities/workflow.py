"""The facility and project lifecycles as workflow tables (techmarket.workflow).

A facility is piloted first and recognised later (先试点、后认定): operators recognise and revoke, with a
reason for a revocation. A project's outcome moves 进行中 → 已通过验证 → 已转化 by the facility's managers.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow

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


FACILITY = engine.register(
    Workflow(
        name="facilities.facility",
        model=F,
        actor_kinds=facility_actor_kinds,
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
            "revoke": Action(
                _("撤销"),
                (F.Status.TRIAL, F.Status.RECOGNISED),
                F.Status.REVOKED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("revoked_at",),
                reason_message=_("撤销必须说明原因，依托单位会看到它。"),
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
                _("终止"),
                (P.Status.RUNNING,),
                P.Status.STOPPED,
                (OWNER,),
                needs_reason=True,
                reason_message=_("终止项目必须说明原因。"),
            ),
        },
    )
)
