"""Demo organisations, users and memberships: every role has a login."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.orgs.models import BrokerLevel, JoinRequest, Membership, Organization, OrganizationTag, Role
from techmarket.reference.models import Industry, Region

from ..context import DemoContext
from ..topics import FACTS, NAME_WORDS, topics_of
from ..vocab import (
    ACADEMIC_SECTORS,
    BRANDS,
    CITIES,
    ENTERPRISE_SUFFIXES,
    INSTITUTES,
    INVESTORS,
    POLICY_ORGS,
    SECTORS,
    SERVICE_RECOGNITION,
    SERVICES,
    UNIVERSITIES,
)

K = Organization.Kind
USCC_PREFIX: dict[str, str] = {
    K.ENTERPRISE: "91",
    K.UNIVERSITY: "12",
    K.INSTITUTE: "12",
    K.SERVICE: "91",
    K.INVESTOR: "91",
    K.GOVERNMENT: "11",
    K.INDUSTRY_INSTITUTE: "52",
    K.CONSORTIUM: "91",
    K.NEW_RD: "52",
    K.BANK: "91",
    K.GUARANTOR: "91",
}


ENTERPRISE_DESCRIPTIONS = (
    "{city}{sector}企业，主营{main}，建有市级企业技术中心。",
    "成立 {years} 年的{sector}企业，{main}产品供应省内外客户，正在推进产线智能化改造。",
    "专注{main}的高新技术企业，与{partner}保持产学研合作。",
)


def _user(ctx: DemoContext, username: str, real_name: str | None = None) -> User:
    user = User(
        username=username,
        email=f"{username}@example.com",
        real_name=real_name or ctx.person_name(),
        phone=f"1{ctx.rng.choice('3578')}{ctx.rng.randrange(10**9):09d}",
        email_verified_at=timezone.now(),
    )
    user.set_password(ctx.password)
    user.save()
    ctx.users[username] = user
    return user


def _county(ctx: DemoContext, prefecture: str) -> Region:
    counties = list(Region.objects.filter(parent_id=prefecture, level=Region.Level.COUNTY).order_by("code"))
    return ctx.rng.choice(counties) if counties else Region.objects.get(pk=prefecture)


def _org(
    ctx: DemoContext,
    *,
    name: str,
    kind: str,
    region: Region,
    industry: str | None = None,
    status: str = Organization.Status.APPROVED,
    operator: Any = None,
    **extra: Any,
) -> Organization:
    org = Organization.objects.create(
        name=name,
        kind=kind,
        uscc=ctx.uscc(region.code, USCC_PREFIX[kind]),
        region=region,
        industry=Industry.objects.filter(pk=industry).first() if industry else None,
        status=status,
        reviewed_by=operator if status == Organization.Status.APPROVED else None,
        reviewed_at=timezone.now() if status == Organization.Status.APPROVED else None,
        **extra,
    )
    ctx.orgs[kind].append(org)
    return org


def _member(user: User, org: Organization, role: str, **extra: Any) -> Membership:
    return Membership.objects.create(user=user, organization=org, role=role, **extra)


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    operator_org = _org(
        ctx,
        name="沂蒙科技大市场运营中心",
        kind=K.SERVICE,
        region=Region.objects.get(pk="371302"),
        industry="75",
        is_platform_operator=True,
        description="平台运营单位：负责机构审核、需求与成果发布审核、活动组织和数据统计。",
    )
    operator = _user(ctx, "demo_operator", "运营管理员")
    operators_group, _created = Group.objects.get_or_create(name="平台运营")
    operators_group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["accounts", "orgs", "reference", "audit"])
    )
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    operator.groups.add(operators_group)
    _member(operator, operator_org, Role.OPERATOR)
    _member(operator, operator_org, Role.ORG_ADMIN)
    ctx.logins.append(("平台运营", "demo_operator", operator_org.name))

    bureau_org = _org(
        ctx,
        name="临沂市科学技术局",
        kind=K.GOVERNMENT,
        region=Region.objects.get(pk="371300"),
        operator=operator,
    )
    bureau = _user(ctx, "demo_bureau")
    _member(bureau, bureau_org, Role.BUREAU)
    ctx.logins.append(("科技局用户", "demo_bureau", bureau_org.name))

    tags = list(OrganizationTag.objects.all())
    used_names: set[str] = set()
    for index in range(40):
        sector = SECTORS[index % len(SECTORS)]
        city_code, city = CITIES[0] if index < 16 else rng.choice(CITIES)
        products = [t.subject for t in topics_of({sector.key})]
        main = products[
            (index // len(SECTORS)) % len(products)
        ]  # spread the sector's products over its firms
        while True:
            name = (
                f"{city}{rng.choice(BRANDS)}{NAME_WORDS.get(main, rng.choice(sector.name_words))}"
                f"{rng.choice(ENTERPRISE_SUFFIXES)}"
            )
            if name not in used_names:
                used_names.add(name)
                break
        org = _org(
            ctx,
            name=name,
            kind=K.ENTERPRISE,
            region=_county(ctx, city_code),
            industry=FACTS[main].industry,
            operator=operator,
            description=rng.choice(ENTERPRISE_DESCRIPTIONS).format(
                city=city,
                sector=sector.label,
                main=main,
                years=rng.randint(5, 30),
                partner=rng.choice(["山东大学", "本地高校", "省科学院", "行业研究院"]),
            ),
        )
        ctx.sectors[org.pk] = frozenset({sector.key})
        ctx.products[org.pk] = main
        org.tags.set(rng.sample(tags, k=rng.randint(0, 3)))
        admin = _user(ctx, f"ent{index + 1:03d}")
        _member(admin, org, Role.ORG_ADMIN)
    first_enterprise = ctx.orgs[K.ENTERPRISE][0]
    demo_enterprise = _user(ctx, "demo_enterprise")
    _member(demo_enterprise, first_enterprise, Role.ORG_ADMIN)
    staff = _user(ctx, "demo_staff")
    _member(staff, first_enterprise, Role.MEMBER)
    ctx.logins += [
        ("企业管理员", "demo_enterprise", first_enterprise.name),
        ("企业成员", "demo_staff", first_enterprise.name),
    ]

    sector_labels = {s.key: s.label for s in SECTORS}
    for kind, rows, industry in ((K.UNIVERSITY, UNIVERSITIES, "83"), (K.INSTITUTE, INSTITUTES, "73")):
        for name, region in rows:
            fields = ACADEMIC_SECTORS.get(name, ("materials",))
            org = _org(
                ctx,
                name=name,
                kind=kind,
                region=Region.objects.get(pk=region),
                industry=industry,
                operator=operator,
                description="重点学科与研究方向："
                + "、".join(sector_labels[f] for f in fields)
                + "。设有技术转移办公室，负责成果披露、评估与转化。",
            )
            ctx.sectors[org.pk] = frozenset(fields)
    for policy_kind, policy_name, policy_region, policy_fields in POLICY_ORGS:
        org = _org(
            ctx,
            name=policy_name,
            kind=Organization.Kind(policy_kind),
            region=Region.objects.get(pk=policy_region),
            industry="73",
            operator=operator,
            recognition_level=Organization.Recognition.MUNICIPAL,
            description=f"{Organization.Kind(policy_kind).label}，方向："
            + "、".join(sector_labels[f] for f in policy_fields)
            + "。",
        )
        ctx.sectors[org.pk] = frozenset(policy_fields)
    for name, region in SERVICES:
        _org(
            ctx,
            name=name,
            kind=K.SERVICE,
            region=Region.objects.get(pk=region),
            industry="75",
            operator=operator,
            recognition_level=SERVICE_RECOGNITION.get(name, ""),
            description="技术转移服务机构：需求挖掘与凝练、成果评估、技术经纪、知识产权运营。",
        )
    for name, region in INVESTORS:
        _org(
            ctx,
            name=name,
            kind=K.INVESTOR,
            region=Region.objects.get(pk=region),
            industry="67",
            operator=operator,
        )

    university = ctx.orgs[K.UNIVERSITY][0]
    tto = _user(ctx, "demo_university")
    _member(tto, university, Role.ORG_ADMIN)
    expert = _user(ctx, "demo_expert")
    _member(expert, university, Role.EXPERT)
    ctx.logins += [
        ("高校成果转化办公室", "demo_university", university.name),
        ("专家/科研人员", "demo_expert", university.name),
    ]
    for number, org in enumerate(ctx.orgs[K.UNIVERSITY][1:] + ctx.orgs[K.INSTITUTE], start=1):
        _member(_user(ctx, f"tto{number:03d}"), org, Role.ORG_ADMIN)

    agency = ctx.orgs[K.SERVICE][1]  # ctx.orgs[K.SERVICE][0] is the operator's own organisation
    broker = _user(ctx, "demo_broker")
    _member(
        broker,
        agency,
        Role.BROKER,
        broker_level=BrokerLevel.INTERMEDIATE,
        certificate_number="JSJJR-2025-0371-0086",
    )
    _member(_user(ctx, "demo_agency"), agency, Role.ORG_ADMIN)
    ctx.logins += [("技术经理人（经纪人，中级）", "demo_broker", agency.name)]
    for number, org in enumerate(ctx.orgs[K.SERVICE][2:], start=1):
        level = rng.choice(BrokerLevel.values)
        _member(
            _user(ctx, f"broker{number:02d}"),
            org,
            Role.BROKER,
            broker_level=level,
            certificate_number=f"JSJJR-2024-{org.region_id[:4]}-{rng.randrange(10000):04d}",
        )
    investor = ctx.orgs[K.INVESTOR][0]
    _member(_user(ctx, "demo_investor"), investor, Role.ORG_ADMIN)
    ctx.logins.append(("投资机构", "demo_investor", investor.name))

    # Something in every queue: one organisation awaiting review and one join request.
    pending_user = _user(ctx, "demo_pending")
    pending = _org(
        ctx,
        name="临沂沂州精工机械有限公司",
        kind=K.ENTERPRISE,
        region=Region.objects.get(pk="371312"),
        industry="34",
        status=Organization.Status.PENDING,
        created_by=pending_user,
    )
    ctx.sectors[pending.pk] = frozenset({"equipment"})
    _member(pending_user, pending, Role.ORG_ADMIN)
    ctx.logins.append(("待审核企业", "demo_pending", pending.name))
    applicant = _user(ctx, "demo_applicant")
    JoinRequest.objects.create(
        user=applicant,
        organization=first_enterprise,
        role=Role.MEMBER,
        message="我是公司研发部新入职的工程师，申请加入以便发布技术需求。",
    )
