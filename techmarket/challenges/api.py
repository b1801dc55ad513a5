"""JSON API of 揭榜挂帅: the same selectors and services as the pages."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.pagination import PagePagination
from techmarket.decisions.models import RequestStatus
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization

from . import panels, selectors, services
from .models import Application, Challenge, Payment

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
