"""The policies API: the same selectors and services as the pages, errors in the project's one body."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import figures, selectors, services
from .permissions import enterprise_organisations, may_decide_applications
from .rules import describe

router = Router(tags=["政策"])


class RuleIO(Schema):
    fact: str = Field(..., max_length=48, description="条件键，见 GET /facts")
    op: str = Field(..., description="eq / ne / gte / lte / between / in / not_in / has_valid")
    values: list[str] = Field(default_factory=list, description="取值；地区、行业填代码或名称")
    valid_through: date | None = Field(None, description="资质有效期至少到（仅资质条件）")


class PolicyOut(Schema):
    id: int
    title: str
    issuer: str
    document_number: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    region: str | None = Field(None, alias="region_id", description="GB/T 2260 地区代码")
    support_type: str
    support_type_label: str = Field(..., alias="get_support_type_display")
    summary: str
    amount_text: str
    max_amount: Decimal | None
    valid_from: date | None
    valid_until: date | None
    allows_application: bool
    status: str
    version: int
    published_at: datetime | None
    rules: list[str] = Field(default_factory=list, description="申报条件（文字）")

    @staticmethod
    def resolve_rules(obj: Any) -> list[str]:
        return [describe(r) for r in obj.rule_list()]


class PolicyFilters(Schema):
    q: str = Field("", max_length=100)
    level: str = Field("", description="national / provincial / municipal / county")
    support_type: str = Field("", description="subsidy / tax / award / loan_interest / voucher")
    region: str = Field(
        "", max_length=6, pattern=r"^(\d{6})?$", description="企业所在地区代码：含上级地区的政策"
    )
    validity: str = Field("", description="open（申报中）/ expired（已截止或停止）")
    applicable: bool = Field(False, description="仅直达快享")


class PolicyIn(Schema):
    title: str = Field(..., max_length=160)
    issuer: str = Field(..., max_length=120)
    document_number: str = Field("", max_length=64)
    level: str
    region: str | None = Field(None, max_length=6)
    support_type: str
    summary: str = Field(..., max_length=4000)
    amount_text: str = Field("", max_length=200)
    max_amount: Decimal | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    allows_application: bool = False
    rules: list[RuleIO] = Field(default_factory=list)


class SavedOut(Schema):
    policy: PolicyOut
    warnings: list[str] = Field(..., description="永远无法满足的条件提示")


class EvaluationOut(Schema):
    policy_id: int
    title: str
    eligible: bool
    near_miss: bool
    max_amount: Decimal | None
    reasons: list[str]
    missing: list[str]


class ApplicationIn(Schema):
    organization_id: int = Field(..., ge=1, le=MAX_DB_INT)
    requested_amount: Decimal
    statement: str = Field(..., max_length=2000)
    contact_phone: str = Field(..., max_length=32)


class ApplicationOut(Schema):
    id: int
    policy_id: int
    policy: str = Field(..., alias="policy.title")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    requested_amount: Decimal
    approved_amount: Decimal | None
    paid_amount: Decimal | None
    decision_note: str
    reasons: list[str]
    created_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None


class ApplicationMoveIn(Schema):
    action: str = Field(
        ...,
        description="approve（需 approved_amount）/ reject（需 reason）/ withdraw / pay（需 payment_reference）",
    )
    approved_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    payment_reference: str = Field("", max_length=64)
    reason: str = Field("", max_length=500)
    expected_state: str | None = None


class FactOut(Schema):
    key: str
    label: str
    kind: str
    unit: str
    source: str


@router.get("", response=list[PolicyOut], auth=OptionalAuth(), summary="政策列表")
@paginate(PagePagination)
def policy_list(request, filters: Query[PolicyFilters]):  # type: ignore[no-untyped-def]
    return selectors.policy_list_visible_to(request.user, **filters.dict()).prefetch_related("rules")


@router.get("/facts", response=list[FactOut], auth=OptionalAuth(), summary="可用的申报条件")
def fact_list(request):  # type: ignore[no-untyped-def]
    from .facts import all_facts

    return [
        {"key": f.key, "label": str(f.label), "kind": f.kind, "unit": str(f.unit), "source": str(f.source)}
        for f in all_facts()
    ]


@router.get("/figures", summary="政策直达指标：发布、推送、申请、核定与拨付金额（科技局、平台运营）")
def policy_figures(request) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if not may_decide_applications(request.user):
        raise PermissionDenied("只有科技局和平台运营可以查看政策直达指标。")
    return figures.totals()


@router.get("/qualify/{org_id}", response=list[EvaluationOut], summary="本企业符合（及差一项符合）的政策")
def qualify(request, org_id: int):  # type: ignore[no-untyped-def]
    org = next((o for o in enterprise_organisations(request.user) if o.pk == org_id), None)
    if org is None:
        raise PermissionDenied("您不是该企业的成员。")
    found = selectors.policies_for(request.user, org)
    return [
        {
            "policy_id": p.pk, "title": p.title, "eligible": ev.eligible, "near_miss": ev.near_miss,
            "max_amount": p.max_amount, "reasons": ev.reasons, "missing": [r.reason for r in ev.missing],
        }
        for p, ev in found["eligible"] + found["near"]
    ]  # fmt: skip


@router.get("/applications", response=list[ApplicationOut], summary="直达快享申请（本企业的；科技局看全部）")
@paginate(PagePagination)
def application_list(request, status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.applications_visible_to(request.user, status=status)


@router.get("/applications/{application_id}", response=ApplicationOut, summary="申请详情")
def application_detail(request, application_id: int):  # type: ignore[no-untyped-def]
    return selectors.application_get_visible(request.user, application_id)


@router.post("/applications/{application_id}/move", response=ApplicationOut, summary="审核、拨付或撤回申请")
def application_move(request, application_id: int, payload: ApplicationMoveIn):  # type: ignore[no-untyped-def]
    a = selectors.application_get_visible(request.user, application_id)
    user, expected = request.user, payload.expected_state
    if payload.action == "approve":
        return services.application_approve(
            application=a,
            acting_user=user,
            approved_amount=payload.approved_amount,
            note=payload.reason,
            expected_state=expected,
        )
    if payload.action == "reject":
        return services.application_reject(
            application=a, acting_user=user, reason=payload.reason, expected_state=expected
        )
    if payload.action == "withdraw":
        return services.application_withdraw(application=a, acting_user=user, expected_state=expected)
    if payload.action == "pay":
        return services.application_pay(
            application=a, acting_user=user, paid_amount=payload.paid_amount,
            payment_reference=payload.payment_reference, expected_state=expected,
        )  # fmt: skip
    raise ValidationError({"action": "未知操作，可用：approve / reject / withdraw / pay。"})


@router.post("", response={201: SavedOut}, summary="录入政策（草稿）")
def policy_create(request, payload: PolicyIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    rules = data.pop("rules")
    policy, warnings = services.policy_create(acting_user=request.user, rules=rules, **data)
    return Status(201, {"policy": policy, "warnings": warnings})


@router.get("/{policy_id}", response=PolicyOut, auth=OptionalAuth(), summary="政策详情")
def policy_detail(request, policy_id: int):  # type: ignore[no-untyped-def]
    return selectors.policy_get_visible(request.user, policy_id)


@router.post("/{policy_id}/apply", response={201: ApplicationOut}, summary="直达快享：在线申请")
def apply(request, policy_id: int, payload: ApplicationIn):  # type: ignore[no-untyped-def]
    policy = selectors.policy_get_visible(request.user, policy_id)
    org = next((o for o in enterprise_organisations(request.user) if o.pk == payload.organization_id), None)
    if org is None:
        raise ValidationError({"organization_id": "您不是该企业的成员，不能以它的名义申请。"})
    application = services.application_open(
        policy=policy, organization=org, acting_user=request.user, requested_amount=payload.requested_amount,
        statement=payload.statement, contact_phone=payload.contact_phone,
    )  # fmt: skip
    return Status(201, application)
