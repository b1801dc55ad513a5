"""JSON API of 揭榜挂帅: the same selectors and services as the pages."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination
from techmarket.decisions.models import RequestStatus
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization

from . import assembly, funding, panels, selectors, services
from .models import Application, Challenge, Milestone, Panel, Payment
from .workflow import is_challenge_operator

router = Router(tags=["揭榜挂帅"])


class ChallengeOut(Schema):
    id: int
    title: str
    status: str
    mode: str
    owner_id: int
    owner: str = Field(..., alias="owner.name")
    batch_id: int | None
    problem: str
    targets: list[dict[str, Any]]
    deliverables: str
    funding_total: Decimal
    enterprise_share: Decimal
    government_share: Decimal
    duration_months: int
    criteria: list[dict[str, Any]]
    deadline: datetime
    published_at: datetime | None
    outcomes: dict[str, Any] | None = Field(
        ...,
        description="验收成效（仅已验收的榜单）：新产品（项）、专利（件）、新增销售收入与利税（元）、新增就业（人）",
    )

    @staticmethod
    def resolve_outcomes(obj):  # type: ignore[no-untyped-def]
        if obj.status != Challenge.Status.COMPLETED:
            return None
        return {
            "products": obj.outcome_products,
            "patents": obj.outcome_patents,
            "revenue": obj.outcome_revenue,
            "taxes": obj.outcome_taxes,
            "jobs": obj.outcome_jobs,
        }


class ChallengeFilters(Schema):
    q: str = Field("", max_length=100)
    status: str = ""
    batch: int | None = Field(None, ge=1)
    mode: str = ""
    industry: str = ""


class ApplicationIn(Schema):
    organization_id: int
    lead_expert_id: int
    member_ids: list[int] = Field(default_factory=list)
    plan: str = Field(..., max_length=10000)
    budget: list[dict[str, Any]]
    milestones_plan: list[dict[str, Any]]
    prior_results: str = Field("", max_length=5000)


class ApplicationOut(Schema):
    id: int
    challenge_id: int
    organization_id: int
    status: str
    created_at: datetime
    decision_note: str


class ScoreIn(Schema):
    scores: dict[int, Any] = Field(..., description="评审指标 ID -> 得分")
    comments: dict[int, str] = Field(default_factory=dict)


class InvitationOut(Schema):
    id: int
    challenge_id: int
    challenge_title: str = Field(..., alias="challenge.title")
    challenge_status: str = Field(..., alias="challenge.status")
    expert_id: int
    expert_name: str = Field(..., alias="expert.name")
    status: str
    message: str
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class InvitationAnswerIn(Schema):
    accept: bool = Field(..., description="true 接受邀请，false 谢绝")
    reason: str = Field("", max_length=500, description="说明（选填，运营会看到）")


class PaymentOut(Schema):
    id: int
    milestone_id: int
    amount: Decimal
    paid_on: date
    source: str
    source_label: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_source_label(obj: Any) -> str:
        return str(obj.get_source_display())


class PaymentIn(Schema):
    amount: Decimal | str = Field(..., description="拨付金额（元），最多两位小数")
    paid_on: str = Field(..., max_length=20, description="拨付日期 YYYY-MM-DD（北京时间，不晚于今天）")
    source: str = Field(..., max_length=16, description="enterprise 企业出资 / government 财政支持")
    note: str = Field("", max_length=200)


class MilestoneFundingOut(Schema):
    id: int
    order: int
    title: str
    status: str
    amount: Decimal
    accepted_at: datetime | None
    paid: Decimal
    payments: list[PaymentOut]


class SourceOut(Schema):
    source: str
    label: str
    share: Decimal
    paid: Decimal


class FundingSummaryOut(Schema):
    total: Decimal
    released: Decimal = Field(..., description="已验收里程碑的拨付额度")
    paid: Decimal
    unpaid_released: Decimal
    by_source: list[SourceOut]


class FundingOut(Schema):
    application_id: int
    challenge_id: int
    summary: FundingSummaryOut | None = Field(None, description="榜单经费汇总（仅揭榜成功的申报）")
    milestones: list[MilestoneFundingOut]
    may_record: list[str] = Field(..., description="调用者可以登记拨付的资金来源")


class CriterionOut(Schema):
    id: int
    name: str
    weight: Decimal


class PanelOut(Schema):
    id: int
    title: str
    purpose: str
    status: str
    trimmed: bool
    scale_max: int
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class PanelMemberOut(Schema):
    expert_id: int
    name: str
    organization: str | None


class ResultOut(Schema):
    application_id: int
    organization: str
    rank: int
    score: Decimal
    reviewers: int
    tie_note: str


class OwnScoreOut(Schema):
    criterion_id: int
    value: Decimal
    comment: str


class ReviewEntryOut(Schema):
    application_id: int
    organization: str
    conflicts: list[str] = Field(..., description="需回避的原因（有则不能查看和评分）")
    scored: bool
    my_scores: list[OwnScoreOut]


class AcceptanceOut(Schema):
    challenge_id: int
    challenge_status: str
    acceptance_score: Decimal | None
    panel: PanelOut | None
    members: list[PanelMemberOut] | None = Field(None, description="评审专家（仅运营、科技局）")
    missing_scores: int | None = Field(None, description="尚缺评分份数（评分中，仅运营、科技局）")
    results: list[ResultOut] | None = Field(None, description="评审结果（评审结束后，仅运营、科技局）")
    entries: list[ReviewEntryOut] | None = Field(None, description="评审专家本人的待评对象与本人评分")


class AcceptanceStepIn(Schema):
    step: str = Field(
        ...,
        max_length=16,
        description="create 组建验收评审组 / add 选派专家 / start 开始评分 / close 结束评审",
    )
    expert_id: int | None = Field(None, ge=1, le=MAX_DB_INT)
    trimmed: bool = False


class AcceptanceDecisionIn(Schema):
    reason: str = Field(..., max_length=2000, description="验收结论的理由（团队和发榜企业会看到）")
    outcome_products: int = Field(0, le=2147483647, description="新产品（项）")
    outcome_patents: int = Field(0, le=2147483647, description="专利（件）")
    outcome_revenue: Decimal = Field(
        Decimal("0"), max_digits=14, decimal_places=2, description="新增销售收入（元）"
    )
    outcome_taxes: Decimal = Field(
        Decimal("0"), max_digits=14, decimal_places=2, description="新增利税（元）"
    )
    outcome_jobs: int = Field(0, le=2147483647, description="新增就业（人）")


@router.get("", response=list[ChallengeOut], auth=OptionalAuth(), summary="榜单列表")
@paginate(PagePagination)
def challenge_list(request, filters: ChallengeFilters = Query(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    return selectors.challenge_list_visible_to(request.user, **filters.dict())


@router.get("/figures", auth=OptionalAuth(), summary="揭榜挂帅统计：榜单、经费、申报、团队、高校")
def challenge_figures(request):  # type: ignore[no-untyped-def]
    """Counted over what the caller may see (the public sees published challenges only)."""
    challenges = selectors.challenge_list_visible_to(request.user).filter(
        status__in=selectors.PUBLIC_STATUSES
    )
    # Aggregate counts over published challenges are public (as the bureau publishes them); no row is shown.
    apps = Application.objects.unscoped().filter(challenge__in=challenges.values("pk"))
    live = apps.exclude(status=RequestStatus.WITHDRAWN)
    funding = challenges.aggregate(
        total=Sum("funding_total"), enterprise=Sum("enterprise_share"), government=Sum("government_share")
    )
    by_status = dict(challenges.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    awarded = challenges.filter(awarded_at__isnull=False, published_at__isnull=False)
    days = [
        (c.awarded_at - c.published_at).days
        for c in awarded.select_related(None).only("awarded_at", "published_at")
        if c.awarded_at and c.published_at
    ]
    orgs = Organization.objects.filter(pk__in=live.values("organization_id"))
    return {
        "challenges": {
            "published": challenges.count(),
            "applied": challenges.filter(applications__in=live).distinct().count(),
            "awarded": challenges.filter(
                status__in=[Challenge.Status.AWARDED, Challenge.Status.COMPLETED]
            ).count(),
            "accepted": by_status.get(Challenge.Status.COMPLETED, 0),
            "by_status": by_status,
        },
        "funding": {k: str(Decimal(v or 0).quantize(Decimal("0.01"))) for k, v in funding.items()},
        "paid_by_source": {
            source: str(Decimal(v or 0).quantize(Decimal("0.01")))
            for source, v in Payment.objects.filter(
                milestone__application__challenge__in=challenges.values("pk")
            )
            .values_list("source")
            .annotate(s=Sum("amount"))
            .values_list("source", "s")
        },
        "applications": live.count(),
        "teams": orgs.count(),
        "universities": orgs.filter(kind=Organization.Kind.UNIVERSITY).count(),
        "applicants_by_kind": dict(orgs.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")),
        "applicants_by_region": dict(
            orgs.values_list("region_id").annotate(n=Count("pk")).values_list("region_id", "n")
        ),
        "by_industry": {
            k or "": n
            for k, n in challenges.values_list("industry_id")
            .annotate(n=Count("pk"))
            .values_list("industry_id", "n")
        },
        "by_industry_chain": {
            k or "": n
            for k, n in challenges.values_list("need__chain_node__chain__name")
            .annotate(n=Count("pk"))
            .values_list("need__chain_node__chain__name", "n")
        },
        "applicants": [
            {"organization": name, "kind": kind, "applications": n}
            for name, kind, n in live.values_list("organization__name", "organization__kind")
            .annotate(n=Count("pk"))
            .order_by("-n", "organization__name")
            .values_list("organization__name", "organization__kind", "n")[:50]
        ],
        "days_publication_to_award": round(sum(days) / len(days), 1) if days else None,
    }


@router.get("/invitations", response=list[InvitationOut], summary="我的组阁邀请（组阁制）")
@paginate(PagePagination)
def my_invitations(request):  # type: ignore[no-untyped-def]
    return selectors.my_team_invitations(request.user).order_by("-created_at", "-pk")


@router.get("/{challenge_id}", response=ChallengeOut, auth=OptionalAuth(), summary="榜单详情")
def challenge_detail(request, challenge_id: int):  # type: ignore[no-untyped-def]
    return selectors.challenge_get_visible(request.user, challenge_id)


@router.get("/{challenge_id}/applications", response=list[ApplicationOut], summary="榜单的申报（按可见范围）")
def application_list(request, challenge_id: int):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    return list(selectors.application_list_visible_to(request.user, challenge=challenge))


@router.post("/{challenge_id}/applications", response={201: ApplicationOut}, summary="揭榜申报")
def application_submit(request, challenge_id: int, payload: ApplicationIn):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    org = Organization.objects.filter(pk=payload.organization_id).first()
    if org is None:
        raise ValidationError({"organization_id": f"机构 {payload.organization_id} 不存在。"})
    experts = (
        Expert.objects.unscoped()
        .filter(is_active=True)
        .in_bulk([payload.lead_expert_id, *payload.member_ids])
    )
    if payload.lead_expert_id not in experts:
        raise ValidationError({"lead_expert_id": f"专家 {payload.lead_expert_id} 不存在或已停用。"})
    application = services.application_submit(
        challenge=challenge,
        organization=org,
        lead_expert=experts[payload.lead_expert_id],
        members=[experts[m] for m in payload.member_ids if m in experts],
        acting_user=request.user,
        plan=payload.plan,
        budget=payload.budget,
        milestones_plan=payload.milestones_plan,
        prior_results=payload.prior_results,
    )
    return Status(201, application)


@router.post(
    "/applications/{application_id}/scores", response={201: dict}, summary="评审专家评分（一次提交全部指标）"
)
def score_submit(request, application_id: int, payload: ScoreIn):  # type: ignore[no-untyped-def]
    application = selectors.application_get_visible(request.user, application_id)
    panel = (
        panels.seated_panel(request.user, application.challenge)
        or panels.panels_of(application.challenge).first()
    )
    if panel is None:
        raise ValidationError("该榜单尚未组建评审组。")
    scores = panels.score_submit(
        panel=panel,
        entry=application,
        acting_user=request.user,
        values=payload.scores,
        comments=payload.comments,
    )
    return Status(201, {"entry": application.pk, "criteria": len(scores)})


# --- 组阁制: team invitations ------------------------------------------------------------------------


@router.get(
    "/{challenge_id}/invitations",
    response=list[InvitationOut],
    summary="榜单的组阁邀请（运营、科技局看全部，受邀专家看本人的）",
)
@paginate(PagePagination)
def challenge_invitations(request, challenge_id: int):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    return selectors.team_invitations_of(request.user, challenge).select_related("challenge").order_by("pk")


@router.post(
    "/invitations/{invitation_id}/answer", response=InvitationOut, summary="受邀专家接受或谢绝组阁邀请"
)
def invitation_answer(request, invitation_id: int, payload: InvitationAnswerIn):  # type: ignore[no-untyped-def]
    invitation = selectors.my_team_invitations(request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return assembly.team_invitation_answer(
        invitation=invitation, acting_user=request.user, accept=payload.accept, reason=payload.reason
    )


class CandidateOut(Schema):
    expert_id: int
    name: str
    affiliation: str | None
    why: list[str] = Field(..., description="推荐理由（行业相同、智能匹配推荐）")
    conflicts: list[str] = Field(
        ..., description="不能受邀的原因（利益冲突、无账号、无单位）；为空表示可邀请"
    )


class TeamCandidatesOut(Schema):
    proposed: list[CandidateOut]
    excluded: list[CandidateOut]


class InviteIn(Schema):
    expert_id: int = Field(..., ge=1, le=MAX_DB_INT)
    message: str = Field("", max_length=1000)


class AssembleIn(Schema):
    lead_expert_id: int = Field(..., ge=1, le=MAX_DB_INT)
    member_ids: list[int] = Field(default_factory=list, description="其他成员（须已接受邀请）")
    plan: str = Field(..., max_length=10000)
    budget: list[dict[str, Any]] = Field(..., description="[{item, amount}]，金额单位元")
    milestones_plan: list[dict[str, Any]] = Field(..., description="[{title, deliverable, due, amount}]")
    reason: str = Field(..., max_length=2000, description="组阁理由（随公示发布）")


def _assembled_challenge(user: Any, challenge_id: int) -> Challenge:
    """The same checks as the 组阁 page: visible, operators and the bureau only, a 组阁制 challenge."""
    challenge = selectors.challenge_get_visible(user, challenge_id)
    if not is_challenge_operator(user):
        raise PermissionDenied(_("只有平台运营或科技局可以组阁。"))
    if challenge.mode != Challenge.Mode.ASSEMBLED:
        raise Http404
    return challenge


def _candidate(c: Any) -> dict[str, Any]:
    affiliation = c.expert.affiliation
    return {
        "expert_id": c.expert.pk,
        "name": c.expert.name,
        "affiliation": affiliation.name if affiliation else None,
        "why": [str(w) for w in c.why],
        "conflicts": [str(w) for w in c.conflicts],
    }


@router.get(
    "/{challenge_id}/team/candidates",
    response=TeamCandidatesOut,
    summary="组阁候选专家：推荐的与被排除的（附原因），运营、科技局",
)
def team_candidates(request, challenge_id: int):  # type: ignore[no-untyped-def]
    challenge = _assembled_challenge(request.user, challenge_id)
    proposed, excluded = assembly.team_candidates(challenge)
    return {"proposed": [_candidate(c) for c in proposed], "excluded": [_candidate(c) for c in excluded]}


@router.post(
    "/{challenge_id}/invitations",
    response={201: InvitationOut},
    summary="邀请专家加入攻关团队（组阁制，运营、科技局）",
)
def team_invite(request, challenge_id: int, payload: InviteIn):  # type: ignore[no-untyped-def]
    challenge = _assembled_challenge(request.user, challenge_id)
    expert = Expert.objects.unscoped().filter(pk=payload.expert_id).first()
    if expert is None:
        raise ValidationError(_("专家不存在。"))
    invitation = assembly.team_invite(
        challenge=challenge, expert=expert, acting_user=request.user, message=payload.message
    )
    return Status(201, invitation)


@router.post(
    "/{challenge_id}/invitations/{invitation_id}/withdraw",
    response=InvitationOut,
    summary="撤回组阁邀请（运营、科技局）",
)
def team_invitation_withdraw(request, challenge_id: int, invitation_id: int):  # type: ignore[no-untyped-def]
    challenge = _assembled_challenge(request.user, challenge_id)
    invitation = selectors.team_invitations_of(request.user, challenge).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return assembly.team_invitation_withdraw(invitation=invitation, acting_user=request.user)


@router.post(
    "/{challenge_id}/team",
    response={201: ApplicationOut},
    summary="组阁：由已接受邀请的专家组成团队，结果进入公示（运营、科技局）",
)
def team_assemble(request, challenge_id: int, payload: AssembleIn):  # type: ignore[no-untyped-def]
    challenge = _assembled_challenge(request.user, challenge_id)
    accepted = {e.pk: e for e in assembly.accepted_experts(challenge)}
    wanted = [payload.lead_expert_id, *payload.member_ids]
    missing = [pk for pk in wanted if pk not in accepted]
    if missing:
        names = Expert.objects.unscoped().filter(pk__in=missing).values_list("name", flat=True)
        raise ValidationError(
            {
                "members": _("只能由已接受邀请的专家组阁：%(n)s 尚未接受邀请。")
                % {"n": "、".join(names) or "、".join(str(pk) for pk in missing)}
            }
        )
    application = assembly.team_assemble(
        challenge=challenge,
        lead_expert=accepted[payload.lead_expert_id],
        members=[accepted[pk] for pk in payload.member_ids],
        acting_user=request.user,
        plan=payload.plan,
        budget=payload.budget,
        milestones_plan=payload.milestones_plan,
        reason=payload.reason,
    )
    return Status(201, application)


# --- funding tranches and payments ------------------------------------------------------------------


def _funding(user: Any, application: Application) -> dict[str, Any]:
    """The funding of an application as its page shows it: refused to those who do not see its funding."""
    if not selectors.sees_funding(user, application):
        raise PermissionDenied(_("只有申报团队、发榜企业、平台运营或科技局可以查看经费拨付。"))
    challenge = application.challenge
    milestones = list(selectors.milestones_of(application))
    payments = list(selectors.payments_visible_to(user, application).order_by("paid_on", "pk"))
    summary = None
    if milestones and challenge.proposed_application_id == application.pk:
        s = funding.funding_summary(challenge)
        summary = {
            "total": s.total,
            "released": s.released,
            "paid": s.paid,
            "unpaid_released": s.unpaid_released,
            "by_source": [
                {"source": value, "label": label, "share": share, "paid": paid}
                for (value, _label), (label, share, paid) in zip(
                    Payment.Source.choices, s.by_source, strict=True
                )
            ],
        }
    rows = []
    for m in milestones:
        mine = [p for p in payments if p.milestone_id == m.pk]
        rows.append(
            {
                "id": m.pk,
                "order": m.order,
                "title": m.title,
                "status": m.status,
                "amount": m.amount,
                "accepted_at": m.accepted_at,
                "paid": sum((p.amount for p in mine), Decimal("0")),
                "payments": mine,
            }
        )
    return {
        "application_id": application.pk,
        "challenge_id": challenge.pk,
        "summary": summary,
        "milestones": rows,
        "may_record": [
            value
            for value in Payment.Source.values
            if milestones and funding.may_record(user, milestones[0], value)
        ],
    }


@router.get(
    "/applications/{application_id}/payments",
    response=FundingOut,
    summary="申报的里程碑拨付额度与经费拨付记录（申报团队、发榜企业、运营、科技局）",
)
def application_payments(request, application_id: int):  # type: ignore[no-untyped-def]
    return _funding(request.user, selectors.application_get_visible(request.user, application_id))


@router.get(
    "/{challenge_id}/payments",
    response=FundingOut,
    summary="榜单（揭榜团队）的经费汇总与拨付记录",
)
def challenge_payments(request, challenge_id: int):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    if challenge.proposed_application_id is None:
        raise Http404
    return _funding(
        request.user, selectors.application_get_visible(request.user, challenge.proposed_application_id)
    )


@router.post(
    "/milestones/{milestone_id}/payments",
    response={201: PaymentOut},
    summary="登记经费拨付（运营、科技局；发榜企业登记企业出资部分）",
)
def payment_record(request, milestone_id: int, payload: PaymentIn):  # type: ignore[no-untyped-def]
    milestone = Milestone.objects.select_related("application").filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    milestone.application = selectors.application_get_visible(request.user, milestone.application_id)
    try:
        paid_on = date.fromisoformat(payload.paid_on.strip())
    except ValueError:
        raise ValidationError({"paid_on": _("请填写拨付日期（YYYY-MM-DD）。")}) from None
    payment = funding.payment_record(
        milestone=milestone,
        acting_user=request.user,
        amount=payload.amount,
        paid_on=paid_on,
        source=payload.source,
        note=payload.note,
    )
    return Status(201, payment)


# --- 验收: the acceptance review panel -------------------------------------------------------------


def _acceptance(user: Any, challenge: Challenge) -> dict[str, Any]:
    """What the pages show of the acceptance panel: everything on the operators' panel page; to a seated
    reviewer, the review task with their own scores only (never others' scores, names or the results)."""
    panel = services.acceptance_panel(challenge)
    operator = is_challenge_operator(user)
    seat = panels.reviewer_seat(user, panel) if panel is not None else None
    if not operator and seat is None:
        raise PermissionDenied(_("只有平台运营、科技局和验收评审组的评审专家可以查看验收评审。"))
    out: dict[str, Any] = {
        "challenge_id": challenge.pk,
        "challenge_status": challenge.status,
        "acceptance_score": challenge.acceptance_score,
        "panel": panel,
    }
    if panel is None:
        return out
    if operator:
        out["members"] = [
            {
                "expert_id": m.expert_id,
                "name": m.expert.name,
                "organization": m.expert.affiliation.name if m.expert.affiliation_id else None,
            }
            for m in panel.members.select_related("expert__affiliation").order_by("pk")  # type: ignore[attr-defined]
        ]
        if panel.status == Panel.Status.SCORING:
            out["missing_scores"] = panels.panel_missing_scores(panel)
        if panel.status == Panel.Status.CLOSED:
            out["results"] = [
                {
                    "application_id": r.entry.pk,
                    "organization": r.entry.organization.name,
                    "rank": r.rank,
                    "score": r.score,
                    "reviewers": r.reviewers,
                    "tie_note": str(r.tie_note),
                }
                for r in panels.panel_results(panel)
            ]
    if seat is not None:
        entries = []
        if panel.status != Panel.Status.FORMING:
            for entry in panels.subject_of(panel).entries(panel.subject):
                conflicts = panels.entry_conflicts(panel, seat.expert, entry)
                mine = {} if conflicts else panels.own_scores(seat, entry.pk)
                entries.append(
                    {
                        "application_id": entry.pk,
                        "organization": entry.organization.name,
                        "conflicts": conflicts,
                        "scored": bool(mine),
                        "my_scores": [
                            {"criterion_id": c, "value": s.value, "comment": s.comment}
                            for c, s in sorted(mine.items())
                        ],
                    }
                )
        out["entries"] = entries
    return out


@router.get(
    "/{challenge_id}/acceptance",
    response=AcceptanceOut,
    summary="结题验收评审：运营、科技局看评审组与结果；评审专家看本人的评审任务与评分",
)
def acceptance_detail(request, challenge_id: int):  # type: ignore[no-untyped-def]
    return _acceptance(request.user, selectors.challenge_get_visible(request.user, challenge_id))


def _require_operator(user: Any) -> None:
    # the same check as the operators' panel page
    if not is_challenge_operator(user):
        raise PermissionDenied(_("只有平台运营或科技局可以管理评审组。"))


@router.post(
    "/{challenge_id}/acceptance/steps",
    response=AcceptanceOut,
    summary="验收评审组：组建、选派专家、开始评分、结束评审（运营、科技局）",
)
def acceptance_step(request, challenge_id: int, payload: AcceptanceStepIn):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    _require_operator(request.user)
    panel = services.acceptance_panel(challenge)
    if payload.step == "create":
        services.challenge_acceptance_panel_create(
            challenge=challenge, acting_user=request.user, trimmed=payload.trimmed
        )
    elif payload.step not in ("add", "start", "close"):
        raise ValidationError({"step": _("未知的步骤：%(s)s。") % {"s": payload.step}})
    elif panel is None:
        raise ValidationError(_("请先组建验收评审组。"))
    elif payload.step == "add":
        expert = Expert.objects.unscoped().filter(pk=payload.expert_id or 0).first()
        if expert is None:
            raise ValidationError({"expert_id": _("请选择评审专家。")})
        panels.panel_add_member(panel=panel, expert=expert, acting_user=request.user)
    elif payload.step == "start":
        panels.panel_start_scoring(panel=panel, acting_user=request.user)
    else:
        panels.panel_close(panel=panel, acting_user=request.user)
    return _acceptance(request.user, selectors.challenge_get_visible(request.user, challenge_id))


@router.post(
    "/{challenge_id}/acceptance/scores",
    response={201: dict},
    summary="验收评审专家评分（对揭榜团队一次提交全部指标）",
)
def acceptance_score_submit(request, challenge_id: int, payload: ScoreIn):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    panel = services.acceptance_panel(challenge)
    if panel is None or challenge.proposed_application_id is None:
        raise ValidationError(_("该榜单尚未组建验收评审组。"))
    application = selectors.application_get_visible(request.user, challenge.proposed_application_id)
    scores = panels.score_submit(
        panel=panel,
        entry=application,
        acting_user=request.user,
        values=payload.scores,
        comments=payload.comments,
    )
    return Status(201, {"entry": application.pk, "criteria": len(scores)})


@router.post(
    "/{challenge_id}/acceptance/decision",
    response=AcceptanceOut,
    summary="最终验收结论与成果（运营、科技局，须写明理由）",
)
def acceptance_decide(request, challenge_id: int, payload: AcceptanceDecisionIn):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    _require_operator(request.user)
    data = payload.dict()
    reason = data.pop("reason")
    services.challenge_complete(challenge=challenge, acting_user=request.user, reason=reason, **data)
    return _acceptance(request.user, selectors.challenge_get_visible(request.user, challenge_id))
