"""Demo finance: two banks' 科技支行 and a guarantor with products; enterprises with verified declarations and
qualification certificates (one expired), their innovation points computed; loan applications in every state
(pending, approved and granted, approved awaiting the loan, declined, withdrawn), each with its consent.

The demo enterprise (demo_enterprise) has good points and no application to the 成果转化贷 yet, so the
browser journey can apply and the bank (demo_bank) decide.
"""

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

from django.utils import timezone

from techmarket.finance import services
from techmarket.finance.defaults import ensure_default_indicators
from techmarket.finance.models import Declaration, FinanceProduct, Grade, ProductKind
from techmarket.orgs.models import (
    CertificationRecord,
    EnterpriseProfile,
    Organization,
    OrganizationTag,
    RevenueRange,
    Role,
)
from techmarket.reference.models import Region

from ..context import DemoContext
from .orgs import _member, _org, _user

K = Organization.Kind
W = D("10000")

PROVIDERS = (
    ("中国银行临沂科技支行", K.BANK, "371302", "demo_bank", "国有大型银行设立的科技支行，专营科技型中小企业信贷。"),
    ("临沂农商银行科创金融部", K.BANK, "371311", "demo_bank2", "地方法人银行的科创金融专营机构，服务县域科技企业。"),
    ("临沂市科技融资担保有限公司", K.GUARANTOR, "371302", "demo_guarantor", "政府性融资担保机构，为科技型企业贷款提供担保增信。"),
)  # fmt: skip

# provider index, name, kind, amount range (万元), rate range (%), term range (months), min points, min grade
PRODUCTS = (
    (0, "成果转化贷", ProductKind.TRANSFER_LOAN, (50, 1000), ("3.45", "4.35"), (6, 36), D("30"), ""),
    (0, "知识产权质押融资", ProductKind.IP_PLEDGE, (100, 3000), ("3.50", "4.50"), (12, 36), None, Grade.C),
    (1, "科创人才贷", ProductKind.TALENT_LOAN, (20, 500), ("3.20", "3.90"), (12, 36), None, ""),
    (1, "科技信用贷", ProductKind.CREDIT_LOAN, (10, 300), ("3.60", "4.80"), (6, 24), D("20"), ""),
    (2, "科技企业融资担保", ProductKind.GUARANTEE, (100, 2000), ("0.50", "1.50"), (12, 36), None, Grade.B),
)  # fmt: skip

CONDITIONS: dict[str, str] = {
    ProductKind.TRANSFER_LOAN: "用于受让、许可或作价入股科技成果及其后续中试、产业化；须有平台登记的技术合同或对接项目。",
    ProductKind.IP_PLEDGE: "以授权发明专利、实用新型专利或商标专用权质押；评估值按质押率 30%–50% 折算额度。",
    ProductKind.TALENT_LOAN: "面向市级及以上人才工程入选者创办或领办的企业，信用方式，无需抵押。",
    ProductKind.CREDIT_LOAN: "纯信用，依据企业创新积分和纳税信用等级核定额度。",
    ProductKind.GUARANTEE: "A 级企业单笔担保最高 2000 万元；担保费率不超过 1.5%，政府性担保费用可申请补贴。",
}


def _declare(
    ctx: DemoContext, org: Organization, user: Any, operator: Any, rows: list[tuple[str, D]]
) -> None:
    year = timezone.localdate().year - 1
    now = timezone.now()
    for source, value in rows:
        Declaration.objects.unscoped().create(
            organization=org,
            requested_by=user,
            source=source,
            year=year,
            value=value,
            status=Declaration.Status.APPROVED,
            decided_by=operator,
            decided_at=now,
            decision_note="已核对审计报告及证书原件。",
        )
    # one still waiting: it shows in the operators' queue and does not count
    Declaration.objects.unscoped().create(
        organization=org,
        requested_by=user,
        source="invention_patents",
        year=year + 1,
        value=D("2"),
        status=Declaration.Status.PENDING,
        note="今年新授权 2 件发明专利，证书已上传。",
    )


def _certify(org: Organization, tag_name: str, valid_until: date) -> None:
    tag = OrganizationTag.objects.filter(name=tag_name).first()
    if tag is None:
        return
    CertificationRecord.objects.get_or_create(
        organization=org,
        tag=tag,
        defaults={"certificate_number": f"GR{org.pk:04d}{tag.pk:02d}", "valid_until": valid_until},
    )


def build(ctx: DemoContext) -> None:
    ensure_default_indicators()  # present after migrate; again after a test database flush
    rng = ctx.rng
    operator = ctx.users["demo_operator"]
    today = timezone.localdate()
    providers = []
    for name, kind, region, username, description in PROVIDERS:
        org = _org(
            ctx, name=name, kind=kind, region=Region.objects.get(pk=region), industry="66", operator=operator,
            description=description,
        )  # fmt: skip
        user = _user(ctx, username)
        _member(user, org, Role.ORG_ADMIN)
        ctx.logins.append(("银行/科技支行" if kind == K.BANK else "融资担保机构", username, name))
        providers.append((org, user))

    products: list[FinanceProduct] = []
    for index, name, product_kind, amounts, rates, terms, min_points, min_grade in PRODUCTS:
        org, user = providers[index]
        products.append(
            services.product_create(
                acting_user=user,
                provider=org,
                data={
                    "name": name, "kind": product_kind, "min_amount": amounts[0] * W, "max_amount": amounts[1] * W,
                    "min_rate": rates[0], "max_rate": rates[1], "min_term_months": terms[0],
                    "max_term_months": terms[1], "conditions": CONDITIONS[product_kind], "min_points": min_points,
                    "min_grade": min_grade,
                },
            )
        )  # fmt: skip

    # Points: verified declarations and certificates for the first twelve enterprises (the demo enterprise
    # strongest), one expired certificate, then every enterprise computed.
    enterprises = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    for n, org in enumerate(enterprises[:12]):
        admin = org.memberships.filter(role=Role.ORG_ADMIN).select_related("user").first()
        user = admin.user if admin else ctx.users["demo_enterprise"]
        ratio = D("6.5") if n == 0 else D(rng.choice(["1.8", "2.5", "3.2", "4.1", "5.0"]))
        rows = [
            ("rd_ratio", ratio),
            ("rd_spend", D(rng.choice([120, 260, 380, 520, 800]))),
            ("invention_patents", D(5 if n == 0 else rng.randint(0, 4))),
            ("rd_staff", D(36 if n == 0 else rng.randint(5, 40))),
        ]
        _declare(ctx, org, user, operator, rows)
        EnterpriseProfile.objects.get_or_create(
            organization=org,
            defaults={
                "main_products": ctx.products.get(org.pk, ""),
                "total_staff": 120 + 20 * n,
                "rd_staff_count": int(rows[3][1]),
                "annual_revenue_range": RevenueRange.FROM_2000 if n % 2 else RevenueRange.FROM_5000,
                "rd_spending_ratio": ratio,
            },
        )
        _certify(org, "高新技术企业", today + timedelta(days=400 + 30 * n))
        if n % 3 == 0:
            _certify(org, "专精特新中小企业", today + timedelta(days=200))
        if n == 1:
            _certify(org, "科技型中小企业", today - timedelta(days=30))  # expired: shown, not counted
    for org in enterprises:
        services.points_recompute(organization=org, reason="演示数据初始计算")

    # Applications in every state (not from the demo enterprise to the 成果转化贷: the journey does that).
    transfer, ip_pledge, talent, credit, guarantee = products
    bank, bank_user = providers[0]
    bank2_user, guarantor_user = providers[1][1], providers[2][1]
    consent = ["profile", "points", "certifications"]

    def apply(org: Organization, product: FinanceProduct, amount_wan: int, term: int, purpose: str) -> Any:
        admin = org.memberships.filter(role=Role.ORG_ADMIN).select_related("user").first()
        return services.loan_apply(
            acting_user=admin.user if admin else None, product=product, organization=org, amount=amount_wan * W,
            term_months=term, purpose=purpose, consent_items=consent, consent_confirmed=True,
        )  # fmt: skip

    used: set[int] = set()

    def eligible(product: FinanceProduct) -> Organization:
        """The first enterprise not used yet whose points meet the product's bar (deterministic)."""
        for org in enterprises:
            if org.pk in used or (org.pk == enterprises[0].pk and product.pk == transfer.pk):
                continue
            if not services.points_bar_problems(product, org)[0]:
                used.add(org.pk)
                return org
        raise RuntimeError(f"no demo enterprise meets the bar of {product.name}")

    # the guarantee first: its bar (grade B) is the highest, the demo enterprise meets it
    guaranteed = apply(eligible(guarantee), guarantee, 1000, 24, "新产线建设贷款的担保增信")
    services.loan_decide(
        application=guaranteed, acting_user=guarantor_user, approve=True, reason="积分等级达标，同意担保。",
        amount=1000 * W, rate="1.00", term_months=24,
    )  # fmt: skip
    services.loan_grant(application=guaranteed, acting_user=guarantor_user, amount=1000 * W, granted_on=today)
    pending = apply(eligible(transfer), transfer, 300, 24, "受让高校锂电正极材料专利并建设中试线")
    granted = apply(eligible(transfer), transfer, 500, 36, "成果转化项目设备购置与流动资金")
    services.loan_decide(
        application=granted, acting_user=bank_user, approve=True, reason="积分达标，技术合同已登记，同意授信。",
        amount=400 * W, rate="3.85", term_months=36,
    )  # fmt: skip
    services.loan_grant(application=granted, acting_user=bank_user, amount=400 * W, granted_on=today)
    approved = apply(eligible(talent), talent, 200, 24, "引进博士团队的研发投入")
    services.loan_decide(
        application=approved, acting_user=bank2_user, approve=True, reason="人才工程入选者领办企业，同意。",
        amount=150 * W, rate="3.50", term_months=24,
    )  # fmt: skip
    declined = apply(eligible(credit), credit, 100, 12, "补充流动资金")
    services.loan_decide(
        application=declined, acting_user=bank2_user, approve=False,
        reason="近一年纳税信用等级为 C，暂不符合信用贷条件，可改申请担保类产品。",
    )  # fmt: skip
    withdrawn = apply(eligible(credit), credit, 50, 12, "采购检测设备")
    services.loan_withdraw(application=withdrawn, acting_user=withdrawn.requested_by)
    apply(eligible(ip_pledge), ip_pledge, 200, 24, "以 3 件发明专利质押融资，用于产线升级")
    ctx.notes.append(
        f"金融服务：{len(providers)} 家金融机构、{len(products)} 个产品；待审批申请 #{pending.pk}（{bank.name}）。"
    )
