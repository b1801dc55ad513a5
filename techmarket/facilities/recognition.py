"""Recognition (认定) and periodic evaluation of a facility, through one path.

The owner of a piloted facility (试点) applies; for a recognised facility the operator opens a periodic
evaluation. Each round is a panel subject of the generic expert panels of ``techmarket.challenges.panels``
(the round is both the subject and its only entry): the operator sets the criteria, seats experts — never a
member of the owner organisation, nor anyone the panels' conflict rules exclude —, the experts score blind,
the operator closes the panel and decides with reasons. A positive decision (or any evaluation decision) is
published (公示) for a number of working days; objections are answered like a challenge's; then the operator
concludes: an application passed makes the facility 已认定 with the date, an evaluation failed makes it
已撤销. An application the operator refuses ends at once (未通过), the facility stays 试点.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.challenges import panels
from techmarket.challenges.models import Panel
from techmarket.decisions.models import RequestStatus
from techmarket.decisions.services import request_decide, request_open
from techmarket.decisions.types import RequestType, register_request_type
from techmarket.experts.models import Expert
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow
from techmarket.workflow.workdays import add_working_days

from .models import Facility, Recognition, RecognitionObjection

R = Recognition.Status
OPEN_STATUSES = (R.REVIEWING, R.PUBLICITY)
DEFAULT_CRITERIA = "服务能力与设施条件 30\n运行管理与团队 20\n服务成效与成果转化 30\n开放共享与收费规范 20"


def is_recognition_operator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and roles.is_operator(user))


def operators() -> list[Any]:
    from techmarket.challenges.workflow import operators as challenge_operators

    return [u for u in challenge_operators() if roles.is_operator(u)]


def owner_members(facility: Facility) -> set[int]:
    """User ids of the owner organisation's members (they may not review their own facility)."""
    from techmarket.orgs.models import Membership

    return set(Membership.objects.filter(organization_id=facility.owner_id).values_list("user_id", flat=True))


def is_owner_admin(user: Any, facility: Facility) -> bool:
    """An administrator of the owner organisation itself (an operator is not the owner: it decides)."""
    from techmarket.orgs.models import Membership, Role

    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organization_id=facility.owner_id, role=Role.ORG_ADMIN
    ).exists()


# --- the round's workflow -------------------------------------------------------------------------


def recognition_actor_kinds(user: Any, recognition: Recognition) -> set[str]:
    kinds = set()
    if is_recognition_operator(user):
        kinds.add(OPERATOR)
    if is_owner_admin(user, recognition.facility):
        kinds.add(OWNER)
    return kinds


def current_panel(recognition: Recognition) -> Panel | None:
    return panels.panels_of(recognition).first()


def open_objections(recognition: Recognition) -> Any:
    return RecognitionObjection.objects.unscoped().filter(
        recognition=recognition, status=RequestStatus.PENDING
    )


def upheld_objections(recognition: Recognition) -> Any:
    """Objections upheld since the current publicity period began (a re-review clears the earlier ones)."""
    return RecognitionObjection.objects.unscoped().filter(
        recognition=recognition,
        status=RequestStatus.APPROVED,
        created_at__gte=recognition.decided_at or recognition.created_at,
    )


def _preconditions(recognition: Recognition, action: str) -> list[str]:
    if action in ("publicise", "refuse"):
        panel = current_panel(recognition)
        if panel is None or panel.status != Panel.Status.CLOSED:
            return [_("专家评审结束后才能作出决定。")]
    if action in ("pass", "fail"):
        if recognition.publicity_until and timezone.now() < recognition.publicity_until:
            until = timezone.localtime(recognition.publicity_until).strftime("%Y-%m-%d %H:%M")
            return [_("公示期至 %(d)s，公示结束后才能办结。") % {"d": until}]
        if open_objections(recognition).exists():
            return [_("还有未答复的公示异议，请先逐条答复。")]
        if upheld_objections(recognition).exists():
            return [_("有成立的公示异议，不能按原决定办结；请退回重新评审。")]
    return []


RECOGNITION = engine.register(
    Workflow(
        name="facilities.recognition",
        model=Recognition,
        actor_kinds=recognition_actor_kinds,
        reason_field="status_note",
        audit_prefix="facilities.recognition",
        preconditions=_preconditions,
        url=lambda r: reverse("facilities:recognition", args=[r.pk]),
        audit_fields=("status", "outcome", "publicity_until", "decided_at", "concluded_at"),
        actions={
            "withdraw": Action(
                _lazy("撤回申报"), (R.REVIEWING,), R.WITHDRAWN, (OWNER,), stamps=("concluded_at",)
            ),
            "publicise": Action(
                _lazy("作出决定并公示"),
                (R.REVIEWING,),
                R.PUBLICITY,
                (OPERATOR,),
                needs_reason=True,
                stamps=("decided_at",),
                by_fields=("decided_by",),
                reason_message=_lazy("请写明决定理由，将随公示一并公开。"),
            ),
            "refuse": Action(
                _lazy("不予认定"),
                (R.REVIEWING,),
                R.FAILED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("decided_at", "concluded_at"),
                by_fields=("decided_by",),
                reason_message=_lazy("不予认定必须写明理由，依托单位会看到它。"),
            ),
            "re_review": Action(
                _lazy("退回重新评审"),
                (R.PUBLICITY,),
                R.REVIEWING,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_lazy("退回重新评审请写明原因（例如成立的异议）。"),
            ),
            "pass": Action(
                _lazy("公示无异议，办结"), (R.PUBLICITY,), R.PASSED, (OPERATOR,), stamps=("concluded_at",)
            ),
            "fail": Action(
                _lazy("公示无异议，办结"), (R.PUBLICITY,), R.FAILED, (OPERATOR,), stamps=("concluded_at",)
            ),
        },
    )
)


# --- objections in the publicity period (a request an operator answers) ----------------------------

OBJECTION = register_request_type(
    RequestType(
        name="facilities.recognition_objection",
        model=RecognitionObjection,
        requester_field="raised_by",
        subject=lambda o: o.recognition,
        may_decide=lambda user, o: is_recognition_operator(user),
        deciders=lambda o: operators(),
        due_working_days=3,
        reason_on_reject=True,
        approve_label=_lazy("异议成立"),
        reject_label=_lazy("异议不成立"),
        audit_prefix="facilities.recognition_objection",
        audit_verbs={"approve": "uphold", "reject": "dismiss"},
        extra_audit=lambda o: snapshot(o, ["recognition_id"]),
        url=lambda o: reverse("facilities:recognition", args=[o.recognition_id]),
    )
)


# --- the round as a panel subject -----------------------------------------------------------------


def _field_codes(facility: Facility) -> tuple[list[str], list[str]]:
    """Every industry and discipline code of the facility: reviewers are drawn from any of its fields."""
    return (
        sorted(facility.industries.values_list("pk", flat=True)),
        sorted(facility.disciplines.values_list("pk", flat=True)),
    )


def panel_purpose(recognition: Recognition) -> str:
    """认定评审 for an application, 定期评价评审 for a periodic evaluation (never the challenges' 遴选评审)."""
    if recognition.kind == Recognition.Kind.EVALUATION:
        return Panel.Purpose.EVALUATION
    return Panel.Purpose.RECOGNITION


panels.register_subject(
    panels.PanelSubject(
        subject_model=Recognition,
        entry_model=Recognition,
        entries=lambda r: Recognition.objects.unscoped().filter(pk=r.pk).select_related("facility__owner"),
        parties=lambda r: ([r.facility.owner], []),
        subject_parties=lambda r: [r.facility.owner],
        field_codes=lambda r: _field_codes(r.facility),
        field_reason=_lazy("研究领域与平台的服务行业/学科相同"),
        entry_label=lambda r: f"{r.facility.name}（{r.get_kind_display()}）",
        entry_url=lambda r: reverse("facilities:recognition", args=[r.pk]),
    )
)


# --- services -------------------------------------------------------------------------------------


def _statement(text: str, *, minimum: int = 20) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise ValidationError(
            {"statement": _("请写明建设运行情况、服务成效等（至少 %(n)s 个字）。") % {"n": minimum}}
        )
    return text


def _open(facility: Facility, kind: str, acting_user: Any, statement: str, period: str = "") -> Recognition:
    try:
        with transaction.atomic():
            facility = Facility.objects.unscoped().select_for_update().get(pk=facility.pk)
            if Recognition.objects.unscoped().filter(facility=facility, status__in=OPEN_STATUSES).exists():
                raise ValidationError(_("该平台已有正在办理的认定或评价，办结后才能再次发起。"))
            recognition = Recognition.objects.create(
                facility=facility,
                kind=kind,
                statement=statement,
                period=period.strip()[:32],
                created_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action=f"facilities.recognition.{'apply' if kind == Recognition.Kind.APPLICATION else 'evaluate'}",
                target=recognition,
                after={"facility": facility.pk, "kind": kind, "period": recognition.period},
            )
    except IntegrityError:
        raise ValidationError(_("该平台已有正在办理的认定或评价，办结后才能再次发起。")) from None
    return recognition


def recognition_apply(*, facility: Facility, acting_user: Any, statement: str) -> Recognition:
    """The owner organisation's administrator applies for recognition of a piloted facility."""
    if not is_owner_admin(acting_user, facility):
        raise PermissionDenied(_("只有依托单位的管理员可以申报认定。"))
    if facility.status != Facility.Status.TRIAL:
        raise ValidationError(
            _("只有试点平台可以申报认定（当前：%(s)s）。") % {"s": facility.get_status_display()}
        )
    return _open(facility, Recognition.Kind.APPLICATION, acting_user, _statement(statement))


def recognition_evaluate(*, facility: Facility, acting_user: Any, period: str, statement: str) -> Recognition:
    """The operator opens the periodic evaluation of a recognised facility (the same path; it can revoke)."""
    if not is_recognition_operator(acting_user):
        raise PermissionDenied(_("只有平台运营可以发起定期评价。"))
    if facility.status != Facility.Status.RECOGNISED:
        raise ValidationError(
            _("只有已认定的平台需要定期评价（当前：%(s)s）。") % {"s": facility.get_status_display()}
        )
    if not (period or "").strip():
        raise ValidationError({"period": _("请填写评价周期，例如“2026 年度”。")})
    return _open(
        facility, Recognition.Kind.EVALUATION, acting_user, _statement(statement, minimum=10), period
    )


def parse_criteria(text: str) -> list[tuple[str, Decimal]]:
    """One criterion a line, "名称 权重" (the weight a positive number); explained errors."""
    out: list[tuple[str, Decimal]] = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, _sep, weight = line.replace("\t", " ").rpartition(" ")
        name = name.strip()
        try:
            value = Decimal(weight.strip())
        except (InvalidOperation, ValueError):
            value = None
        if not name or value is None or not value.is_finite() or value <= 0 or value > 1000:
            raise ValidationError(
                {
                    "criteria": _("第 %(n)s 行“%(l)s”格式不对：每行写“指标名称 权重”，权重为正数。")
                    % {"n": n, "l": line}
                }
            )
        if len(name) > 60:
            raise ValidationError({"criteria": _("第 %(n)s 行的指标名称过长（最多 60 个字）。") % {"n": n}})
        if name in [c[0] for c in out]:
            raise ValidationError({"criteria": _("评审指标“%(c)s”重复。") % {"c": name}})
        out.append((name, value.quantize(Decimal("0.01"))))
    if not out:
        raise ValidationError({"criteria": _("请至少设置一项评审指标及其权重。")})
    return out


def recognition_panel_create(
    *, recognition: Recognition, acting_user: Any, criteria: str, trimmed: bool = False
) -> Panel:
    """The operator forms the round's panel with its criteria (a new one only after a re-review)."""
    if not is_recognition_operator(acting_user):
        raise PermissionDenied(_("只有平台运营可以组建评审组。"))
    if recognition.status != R.REVIEWING:
        raise ValidationError(_("只有待评审的认定或评价可以组建评审组。"))
    latest = current_panel(recognition)
    if latest is not None and latest.status != Panel.Status.CLOSED:
        raise ValidationError(_("该认定已有评审组。"))
    if latest is not None and (
        recognition.decided_at is None
        or latest.closed_at is None
        or latest.closed_at > recognition.decided_at
    ):
        raise ValidationError(_("评审已结束，请作出决定；只有退回重新评审后才能另组评审组。"))
    parsed = parse_criteria(criteria)
    return panels.panel_create(
        subject=recognition,
        entry_model=Recognition,
        title=_("%(f)s %(k)s专家评审")
        % {"f": recognition.facility.name, "k": recognition.get_kind_display()},
        criteria=parsed,
        acting_user=acting_user,
        trimmed=trimmed,
        purpose=panel_purpose(recognition),
    )


def recognition_add_member(*, panel: Panel, expert: Expert, acting_user: Any) -> Any:
    """Seat an expert; a member of the owner organisation never reviews its own facility."""
    recognition = panel.subject
    if not isinstance(recognition, Recognition):
        raise ValidationError(_("该评审组不属于平台认定。"))
    facility = recognition.facility
    if expert.user_id is not None and expert.user_id in owner_members(facility):
        raise ValidationError(
            _("%(name)s 是依托单位“%(org)s”的成员，不能评审本单位的平台（不得自评）。")
            % {"name": expert.name, "org": facility.owner.name}
        )
    return panels.panel_add_member(panel=panel, expert=expert, acting_user=acting_user)


def recognition_score(
    *, panel: Panel, acting_user: Any, values: dict[int, Any], comments: dict[int, str]
) -> Any:
    recognition = panel.subject
    if not isinstance(recognition, Recognition):
        raise ValidationError(_("该评审组不属于平台认定。"))
    if getattr(acting_user, "pk", None) in owner_members(recognition.facility):
        raise PermissionDenied(_("依托单位的成员不能评审本单位的平台（不得自评）。"))
    return panels.score_submit(
        panel=panel, entry=recognition, acting_user=acting_user, values=values, comments=comments
    )


def recognition_result(recognition: Recognition) -> panels.ResultRow | None:
    """The panel's aggregate for the round once its panel has closed (callers decide who reads it)."""
    panel = current_panel(recognition)
    if panel is None or panel.status != Panel.Status.CLOSED:
        return None
    rows = panels.panel_results(panel)
    return rows[0] if rows else None


def recognition_decide(
    *, recognition: Recognition, acting_user: Any, passed: bool, reason: str
) -> Recognition:
    """The operator decides with reasons after the panel closed. A refused application ends here; any other
    decision is published (公示) for the configured working days."""
    if not passed and recognition.kind == Recognition.Kind.APPLICATION:
        return engine.transition(
            workflow=RECOGNITION,
            obj=recognition,
            action="refuse",
            acting_user=acting_user,
            reason=reason,
            changes={"outcome": False},
        )
    until = add_working_days(timezone.now(), settings.FACILITY_RECOGNITION_PUBLICITY_WORKING_DAYS)
    return engine.transition(
        workflow=RECOGNITION,
        obj=recognition,
        action="publicise",
        acting_user=acting_user,
        reason=reason,
        changes={"outcome": passed, "publicity_until": until},
    )


def recognition_re_review(*, recognition: Recognition, acting_user: Any, reason: str) -> Recognition:
    """An objection upheld in 公示: back to review; the decision and the publicity period are cleared."""
    return engine.transition(
        workflow=RECOGNITION,
        obj=recognition,
        action="re_review",
        acting_user=acting_user,
        reason=reason,
        changes={"outcome": None, "publicity_until": None},
    )


def recognition_withdraw(*, recognition: Recognition, acting_user: Any) -> Recognition:
    if recognition.kind != Recognition.Kind.APPLICATION:
        raise ValidationError(_("定期评价不能撤回。"))
    return engine.transition(
        workflow=RECOGNITION, obj=recognition, action="withdraw", acting_user=acting_user
    )


def recognition_conclude(*, recognition: Recognition, acting_user: Any) -> Recognition:
    """After 公示 with every objection answered (none upheld): the facility is 已认定 with today's date (an
    application passed), kept (an evaluation passed) or 已撤销 (an evaluation failed)."""
    from .workflow import FACILITY

    if recognition.status != R.PUBLICITY:
        raise ValidationError(_("只有公示中的认定或评价可以办结。"))
    action = "pass" if recognition.outcome else "fail"
    with transaction.atomic():
        engine.transition(
            workflow=RECOGNITION,
            obj=recognition,
            action=action,
            acting_user=acting_user,
            reason=recognition.status_note,
        )
        facility = recognition.facility
        if recognition.outcome and recognition.kind == Recognition.Kind.APPLICATION:
            engine.transition(
                workflow=FACILITY,
                obj=facility,
                action="recognise",
                acting_user=acting_user,
                reason=recognition.status_note,
            )
        elif not recognition.outcome:
            engine.transition(
                workflow=FACILITY,
                obj=facility,
                action="revoke",
                acting_user=acting_user,
                reason=_("定期评价未通过：%(r)s") % {"r": recognition.status_note},
            )
    return recognition


def objection_raise(*, recognition: Recognition, acting_user: Any, text: str) -> RecognitionObjection:
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录再提出异议。"))
    if recognition.status != R.PUBLICITY:
        raise ValidationError(_("只能在公示期内提出异议。"))
    if recognition.publicity_until and timezone.now() >= recognition.publicity_until:
        raise ValidationError(_("公示期已结束，不能再提出异议。"))
    if len((text or "").strip()) < 10:
        raise ValidationError({"text": _("请写明异议的事实和理由（至少 10 个字）。")})
    return request_open(
        request_type=OBJECTION,
        obj=RecognitionObjection(recognition=recognition, raised_by=acting_user, text=text.strip()[:2000]),
        acting_user=acting_user,
        audit_verb="raise",
    )


def objection_answer(
    *, objection: RecognitionObjection, acting_user: Any, upheld: bool, answer: str
) -> RecognitionObjection:
    if not (answer or "").strip():
        raise ValidationError({"reason": _("请填写对异议的答复，异议人会看到它。")})
    return request_decide(
        request_type=OBJECTION, obj=objection, acting_user=acting_user, approve=upheld, reason=answer
    )
