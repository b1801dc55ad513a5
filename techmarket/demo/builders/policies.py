"""Demo policies: a dozen policies at 国家 / 省 / 市 / 县区 level whose rules some demo enterprises meet and
some nearly meet (enterprise profiles and certificates are filled in first, a few certificates expired),
pushes for the published ones, and 直达快享 applications in every state — all through the services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.orgs.models import (
    CertificationRecord,
    EnterpriseProfile,
    Membership,
    Organization,
    RevenueRange,
)
from techmarket.policies import services
from techmarket.policies.models import Policy, PolicyApplication
from techmarket.policies.selectors import evaluate_policy

from ..context import DemoContext

L = Policy.Level
T = Policy.SupportType
HIGH_TECH, SME, SPECIALISED = "高新技术企业", "科技型中小企业", "专精特新中小企业"


def _profiles(ctx: DemoContext, today: datetime.date) -> None:
    rng = ctx.rng
    revenues = [v for v, _label in RevenueRange.choices]
    for index, org in enumerate(ctx.orgs[Organization.Kind.ENTERPRISE]):
        total = 260 if index == 0 else rng.randint(15, 900)
        profile, _created = EnterpriseProfile.objects.get_or_create(organization=org)
        profile.total_staff = profile.total_staff or total
        profile.rd_staff_count = profile.rd_staff_count or max(1, total * rng.randint(5, 25) // 100)
        profile.annual_revenue_range = profile.annual_revenue_range or (
            RevenueRange.FROM_2000 if index == 0 else rng.choice(revenues)
        )
        if profile.rd_spending_ratio is None:
            profile.rd_spending_ratio = Decimal("4.50") if index == 0 else Decimal(rng.randint(8, 80)) / 10
        profile.founded_on = profile.founded_on or (
            datetime.date(2012, 5, 18)
            if index == 0
            else datetime.date(rng.randint(1998, 2024), rng.randint(1, 12), rng.randint(1, 28))
        )
        profile.save()
        for tag in org.tags.all():
            expired = index != 0 and rng.random() < 0.25
            until = (
                today - datetime.timedelta(days=rng.randint(10, 300))
                if expired
                else today + datetime.timedelta(days=rng.randint(120, 1000))
            )
            CertificationRecord.objects.get_or_create(
                organization=org,
                tag=tag,
                defaults={
                    "certificate_number": f"GR{2023 + index % 3}{37000000 + org.pk}",
                    "valid_until": until,
                },
            )
    first = ctx.orgs[Organization.Kind.ENTERPRISE][0]
    from techmarket.orgs.models import OrganizationTag

    tag = OrganizationTag.objects.filter(name=HIGH_TECH).first()
    if tag is not None:  # the demo enterprise is a 高新技术企业 (and not 专精特新: a near miss to show)
        first.tags.add(tag)
        CertificationRecord.objects.update_or_create(
            organization=first,
            tag=tag,
            defaults={
                "certificate_number": "GR202337001234",
                "valid_until": today + datetime.timedelta(days=700),
            },
        )
    first.certifications.filter(tag__name=SPECIALISED).delete()
    first.tags.remove(*OrganizationTag.objects.filter(name=SPECIALISED))


def _catalogue(first: Organization, today: datetime.date) -> list[dict[str, Any]]:
    year = today.year
    county = first.region_id
    division = (first.industry_id or "C")[:2]
    end = datetime.date(year + 1, 12, 31)
    return [
        dict(title="高新技术企业研发费用加计扣除", issuer="财政部 税务总局", document_number="财税〔2023〕7号", level=L.NATIONAL,
             support_type=T.TAX, summary="企业开展研发活动中实际发生的研发费用，在按规定据实扣除的基础上，再按实际发生额的 100% 在税前加计扣除。",
             amount_text="研发费用按 100% 加计扣除", rules=[{"fact": "qualifications", "op": "has_valid", "values": [HIGH_TECH]},
             {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]}]),
        dict(title="科技型中小企业研发费用加计扣除", issuer="财政部 税务总局 科技部", document_number="财税〔2022〕16号", level=L.NATIONAL,
             support_type=T.TAX, summary="科技型中小企业研发费用加计扣除比例提高到 100%。", amount_text="按 100% 加计扣除",
             rules=[{"fact": "total_staff", "op": "lte", "values": ["500"]},
                    {"fact": "annual_revenue_range", "op": "in", "values": ["lt500", "500_2000", "2000_5000", "5000_20000"]}]),
        dict(title="山东省高新技术企业认定奖励", issuer="山东省科学技术厅", level=L.PROVINCIAL, region="370000", support_type=T.AWARD,
             summary="对首次认定和重新认定的高新技术企业给予一次性奖励。", amount_text="最高 20 万元", max_amount="200000",
             allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["370000"]}, {"fact": "qualifications", "op": "has_valid", "values": [HIGH_TECH]}]),
        dict(title="山东省专精特新中小企业研发奖补", issuer="山东省工业和信息化厅", level=L.PROVINCIAL, region="370000", support_type=T.SUBSIDY,
             summary="对研发投入占比不低于 3% 的专精特新中小企业给予研发奖补。", amount_text="最高 30 万元", max_amount="300000",
             allows_application=True, valid_until=end,
             rules=[{"fact": "qualifications", "op": "has_valid", "values": [SPECIALISED]}, {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]}]),
        dict(title="山东省首台（套）技术装备及关键核心零部件奖励", issuer="山东省工业和信息化厅", level=L.PROVINCIAL, region="370000",
             support_type=T.AWARD, summary="对本行业首台（套）装备研制企业给予奖励。", amount_text="按销售额的 10%，最高 100 万元",
             max_amount="1000000", valid_until=end,
             rules=[{"fact": "industry", "op": "in", "values": [division]}, {"fact": "rd_staff_count", "op": "gte", "values": ["20"]}]),
        dict(title="临沂市企业研发投入后补助", issuer="临沂市科学技术局", document_number="临科字〔2025〕12号", level=L.MUNICIPAL, region="371300",
             support_type=T.SUBSIDY, summary="对上年度研发投入占比不低于 3%、成立满 3 年的企业，按研发投入增量给予后补助。",
             amount_text="按增量的 10%，最高 50 万元", max_amount="500000", allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]},
                    {"fact": "age_years", "op": "gte", "values": ["3"]}]),
        dict(title="临沂市科技型企业贷款贴息", issuer="临沂市科学技术局 临沂市财政局", level=L.MUNICIPAL, region="371300", support_type=T.LOAN_INTEREST,
             summary="对科技型中小企业获得的科技信贷按 LPR 的 50% 给予贴息。", amount_text="单户最高 10 万元", max_amount="100000",
             allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "total_staff", "op": "between", "values": ["10", "300"]}]),
        dict(title="临沂市技术合同交易奖补", issuer="临沂市科学技术局", level=L.MUNICIPAL, region="371300", support_type=T.AWARD,
             summary="对在平台登记技术合同、吸纳技术的企业按技术交易额给予奖补。", amount_text="按技术交易额的 5%，最高 20 万元",
             max_amount="200000", allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "contracts", "op": "gte", "values": ["1"]}]),
        dict(title="临沂市知识产权创造奖励", issuer="临沂市市场监督管理局", level=L.MUNICIPAL, region="371300", support_type=T.AWARD,
             summary="对获得发明专利授权的企业给予奖励。", amount_text="每件 1 万元", max_amount="100000", valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "patents", "op": "gte", "values": ["1"]}]),
        dict(title="初创科技企业成长扶持", issuer="临沂市兰山区科学技术局", level=L.COUNTY, region="371302", support_type=T.SUBSIDY,
             summary="对成立 5 年以内、研发人员不少于 5 人的初创科技企业给予房租和研发补助。", amount_text="最高 10 万元",
             max_amount="100000", allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "age_years", "op": "lte", "values": ["5"]},
                    {"fact": "rd_staff_count", "op": "gte", "values": ["5"]}]),
        dict(title="区县科技创新券", issuer="区县科学技术局", level=L.COUNTY, region=county, support_type=T.VOUCHER,
             summary="向本区县科技型企业发放创新券，用于购买检验检测、概念验证和中试服务。", amount_text="每家最高 5 万元",
             max_amount="50000", allows_application=True, valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": [county]}, {"fact": "rd_staff_count", "op": "gte", "values": ["5"]}]),
        dict(title="2024 年度科技型企业培育补助（已截止）", issuer="临沂市科学技术局", level=L.MUNICIPAL, region="371300",
             support_type=T.SUBSIDY, summary="2024 年度申报已结束。", max_amount="100000", allows_application=True,
             valid_from=datetime.date(year - 2, 3, 1), valid_until=datetime.date(year - 2, 10, 31),
             rules=[{"fact": "qualifications", "op": "has_valid", "values": [SME]}], withdraw=True),
        dict(title="企业研发机构建设奖励（草稿）", issuer="临沂市科学技术局", level=L.MUNICIPAL, region="371300", support_type=T.AWARD,
             summary="对新认定的市级以上企业研发机构给予奖励（征求意见中）。", max_amount="300000",
             rules=[{"fact": "rd_staff_count", "op": "gte", "values": ["30"]}, {"fact": "rd_staff_count", "op": "lte", "values": ["10"]}], draft=True),
        # 企业创新积分制: the points (finance/facts.py) as a rule; banks and the bureau use the same score.
        dict(title="临沂市创新积分企业信用贷款贴息", issuer="临沂市科学技术局 人民银行临沂市分行", level=L.MUNICIPAL, region="371300",
             support_type=T.LOAN_INTEREST, summary="创新积分达到 40 分（C 级及以上）的企业获得科技信贷的，按 LPR 的 30% 给予贴息。",
             amount_text="单户最高 20 万元", max_amount="200000", valid_until=end,
             rules=[{"fact": "region", "op": "in", "values": ["371300"]}, {"fact": "innovation_points", "op": "gte", "values": ["40"]}]),
    ]  # fmt: skip


def _user_of(org: Organization) -> Any:
    m = (
        Membership.objects.filter(organization=org, is_active=True)
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return m.user if m else None


def build(ctx: DemoContext) -> None:
    operator = ctx.users.get("demo_operator")
    bureau = ctx.users.get("demo_bureau")
    if operator is None or bureau is None:
        from techmarket.accounts.models import User

        operator = User.objects.get(username="demo_operator")
        bureau = User.objects.get(username="demo_bureau")
    today = timezone.localdate()
    _profiles(ctx, today)
    first = ctx.orgs[Organization.Kind.ENTERPRISE][0]
    policies: list[Policy] = []
    for spec in _catalogue(first, today):
        spec = dict(spec)
        rules, withdraw, draft = spec.pop("rules"), spec.pop("withdraw", False), spec.pop("draft", False)
        policy, _warnings = services.policy_create(acting_user=operator, rules=rules, **spec)
        if not draft:
            services.policy_move(policy=policy, action="publish", acting_user=operator)
            if withdraw:
                services.policy_move(
                    policy=policy, action="withdraw", acting_user=operator, reason="申报期已结束"
                )
        policies.append(policy)
    for policy in policies:  # the pushes the outbox would run after the commits
        services.policy_push(policy_id=policy.pk)
    _applications(ctx, policies, bureau, today)
    ctx.notes.append(
        f"政策：{len(policies)} 项，直达快享申请 {PolicyApplication.objects.unscoped().count()} 件"
    )


def _applications(ctx: DemoContext, policies: list[Policy], bureau: Any, today: datetime.date) -> None:
    """Eligible enterprises apply for the direct policies; the bureau moves them into every state."""
    steps = ["paid", "approved", "pending", "rejected", "withdrawn", "pending"]
    enterprises = [
        o for o in ctx.orgs[Organization.Kind.ENTERPRISE] if o.status == Organization.Status.APPROVED
    ]
    first = enterprises[0] if enterprises else None
    n = 0
    for policy in policies:
        if not policy.allows_application or policy.status != Policy.Status.PUBLISHED:
            continue
        for org in enterprises:
            if org == first and policy.title.startswith("山东省高新技术企业"):
                continue  # left for the demo enterprise to apply itself
            if not evaluate_policy(policy, org, today).eligible:
                continue
            user = _user_of(org)
            if user is None:
                continue
            cap = policy.max_amount or Decimal("100000")
            amount = (cap * Decimal(ctx.rng.choice([50, 80, 100])) / 100).quantize(Decimal("1"))
            application = services.application_open(
                policy=policy, organization=org, acting_user=user, requested_amount=amount,
                statement=f"{org.name}申请“{policy.title}”，上年度研发投入及项目情况见附件。", contact_phone="0539-8123456",
            )  # fmt: skip
            state = steps[n % len(steps)]
            n += 1
            if state in ("approved", "paid"):
                services.application_approve(
                    application=application,
                    acting_user=bureau,
                    approved_amount=amount * Decimal("0.8"),
                    note="经审核，按 80% 核定。",
                )
            if state == "paid":
                services.application_pay(
                    application=application,
                    acting_user=bureau,
                    payment_reference=f"LYKJ{today.year}{application.pk:05d}",
                )
            if state == "rejected":
                services.application_reject(
                    application=application,
                    acting_user=bureau,
                    reason="佐证材料不全，请补充研发费用专项审计报告后重新申请。",
                )
            if state == "withdrawn":
                services.application_withdraw(application=application, acting_user=user)
            if n >= 14:
                return
