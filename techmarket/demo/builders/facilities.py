"""Demo facilities: each university and institute runs a 概念验证中心 in its first field, two run a 中试基地
and two share an instrument, each with its service catalogue and opening hours; enterprises of the same field
book them (orders in each state: 待报价 … 已评价, the delivered ones with a PDF report), and the
centres record verification projects, some since transferred, so the "3 verified, 2 transferred" bar and the
figures read as one story.
"""

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from techmarket.documents.services import document_upload
from techmarket.facilities.models import Booking, Facility, FacilityService, Project
from techmarket.orgs.models import Membership, Organization, Role
from techmarket.reference.models import ChainNode, Discipline, Industry

from ..context import DemoContext
from ..topics import FACTS, topics_of
from ..vocab import ACADEMIC_SECTORS, SECTORS

K = Organization.Kind
F = Facility.Kind
B = Booking.Status
P = Project.Status
SECTOR = {s.key: s for s in SECTORS}

SERVICES: dict[str, tuple[str, ...]] = {
    F.VERIFICATION: ("原理验证", "样机试制", "技术成熟度评价"),
    F.PILOT: ("工艺放大", "小批量试产", "中试熟化"),
    F.INSTRUMENT: ("检验检测", "仪器机时",),
}  # fmt: skip
CAPACITY: dict[str, int] = {F.VERIFICATION: 15, F.PILOT: 20, F.INSTRUMENT: 1500}
PARALLEL: dict[str, int] = {F.VERIFICATION: 2, F.PILOT: 3, F.INSTRUMENT: 1}
S = FacilityService.Kind
# The catalogue per kind of facility: (name, kind, unit, price in 元 or None for 面议, lead time in days, what
# the requester provides).
CATALOGUE: dict[str, tuple[tuple[str, str, str, int | None, int, str], ...]] = {
    F.VERIFICATION: (
        ("原理验证", S.PRINCIPLE, "项", 30000, 30, "技术方案说明、前期实验数据"),
        ("样机试制", S.PROTOTYPE, "台（套）", None, 45, "设计图纸、关键部件清单"),
        ("技术成熟度评价", S.TESTING, "项", 8000, 10, "成果说明与专利清单"),
    ),
    F.PILOT: (
        ("工艺放大", S.SCALE_UP, "批次", 50000, 30, "小试工艺路线与质量标准"),
        ("小批量试产", S.SMALL_BATCH, "批次", None, 40, "产品技术要求、原辅材料清单"),
        ("中试检验检测", S.TESTING, "样品", 1200, 7, "样品及检测项目说明"),
    ),
    F.INSTRUMENT: (
        ("仪器机时", S.MACHINE_HOURS, "小时", 600, 3, "样品及安全说明"),
        ("检验检测", S.TESTING, "样品", 300, 5, "样品（不少于 5 g）及检测要求"),
    ),
}
# The orders' states in turn, so the pages and figures show every step.
ORDER_STATES = (
    B.PENDING,
    B.QUOTED,
    B.ACCEPTED,
    B.SCHEDULED,
    B.DELIVERED,
    B.EVALUATED,
    B.DECLINED,
    B.CANCELLED,
)
DEMO_REPORT = b"%PDF-1.4\n% techmarket demo report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INSTRUMENTS = ("场发射扫描电子显微镜", "X 射线衍射仪", "高效液相色谱仪", "电感耦合等离子体质谱仪")


def _member(org: Organization, roles: tuple[str, ...] = (Role.ORG_ADMIN, Role.MEMBER)) -> Any:
    m = (
        Membership.objects.filter(organization=org, role__in=roles, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _facility(org: Organization, kind: str, sector_key: str, name: str, status: str, now: Any) -> Facility:
    sector = SECTOR[sector_key]
    equipment = "\n".join(INSTRUMENTS[: 2 if kind != F.INSTRUMENT else 1])
    facility = Facility.objects.unscoped().create(
        name=name,
        kind=kind,
        owner=org,
        region=org.region,
        address=org.address,
        summary=f"面向{sector.label}领域，提供{'、'.join(SERVICES[kind])}等服务，承接高校院所成果的验证与熟化。",
        capacity=CAPACITY[kind],
        equipment=equipment,
        contact_name="平台办公室",
        contact_phone="0539-" + str(8000000 + org.pk)[-7:],
        status=status,
        recognised_at=now - timedelta(days=120) if status == Facility.Status.RECOGNISED else None,
        opens_at=time(8, 30),
        closes_at=time(17, 30),
        open_weekdays="12345",
        parallel_capacity=PARALLEL[kind],
    )
    _fields(facility, sector_key, kind)
    for name, kind_, unit, price, lead, needs in CATALOGUE[kind]:
        FacilityService.objects.unscoped().create(
            facility=facility,
            name=name,
            kind=kind_,
            unit=unit,
            price=Decimal(price) if price is not None else None,
            lead_time_days=lead,
            requirements=needs,
            description=f"{sector.label}领域的{name}服务。",
        )
    return facility


def _fields(facility: Facility, sector_key: str, kind: str) -> None:
    """Several fields from the organisation's field (its sector): the sector's divisions (the main one first;
    an instrument serves them all, a centre or base the first two) and disciplines, and the chain links a
    verification centre or pilot base works on — the links its sector's own topics belong to (FACTS), at
    most three, so a biomedicine centre works on 化学制剂 and 医疗器械, never on a chain that merely shares a
    division with it; a shared instrument serves the sector, not a chain link."""
    sector = SECTOR[sector_key]
    divisions = sector.industries if kind == F.INSTRUMENT else sector.industries[:2]
    facility.industries.set(Industry.objects.filter(pk__in=divisions))
    facility.disciplines.set(Discipline.objects.filter(pk__in=sector.disciplines))
    if kind == F.INSTRUMENT:
        return
    named: list[tuple[str, str]] = []
    for topic in topics_of({sector_key}):
        chain = FACTS[topic.subject].chain if topic.subject in FACTS else None
        if chain and chain not in named:
            named.append(chain)
    links = [
        node
        for chain_name, link_name in named[:3]
        for node in ChainNode.objects.filter(chain__name=chain_name, chain__is_active=True, name=link_name)[
            :1
        ]
    ]
    facility.chain_nodes.set(links)


def _workday(base: Any, days: int) -> Any:
    """The ``days``-th working day (Monday–Friday) after (negative: before) ``base``, at 09:00."""
    step = 1 if days >= 0 else -1
    day, left = base, abs(days)
    while left:
        day += timedelta(days=step)
        if day.isoweekday() <= 5:
            left -= 1
    return day.replace(hour=9, minute=0, second=0, microsecond=0)


def _main_sector(ctx: DemoContext, org: Organization) -> str:
    """The organisation's first-named field (ACADEMIC_SECTORS keeps the order; ctx.sectors is a set)."""
    named = ACADEMIC_SECTORS.get(org.name, ())
    return named[0] if named else sorted(ctx.sectors[org.pk])[0]


def _clients(ctx: DemoContext, sector_key: str) -> list[tuple[Organization, Any]]:
    out = []
    for org in ctx.orgs[K.ENTERPRISE]:
        if org.status == Organization.Status.APPROVED and sector_key in ctx.sectors.get(org.pk, frozenset()):
            user = _member(org)
            if user is not None:
                out.append((org, user))
    return out[:4]


def build(ctx: DemoContext) -> None:
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    academic = [
        o
        for kind in (K.UNIVERSITY, K.INSTITUTE)
        for o in ctx.orgs[kind]
        if o.status == Organization.Status.APPROVED and ctx.sectors.get(o.pk)
    ]
    facilities: list[Facility] = []
    for i, org in enumerate(academic):
        sector_key = _main_sector(ctx, org)
        label = SECTOR[sector_key].label
        status = Facility.Status.RECOGNISED if i % 3 == 0 else Facility.Status.TRIAL
        facilities.append(
            _facility(org, F.VERIFICATION, sector_key, f"{org.name}{label}概念验证中心", status, now)
        )
        if i in (1, 4):
            facilities.append(_facility(org, F.PILOT, sector_key, f"{org.name}{label}中试基地", "trial", now))
        if i in (0, 2):
            facilities.append(
                _facility(org, F.INSTRUMENT, sector_key, f"{org.name}{INSTRUMENTS[i]}（共享）", "trial", now)
            )
    for n, facility in enumerate(facilities):
        sector_key = _main_sector(ctx, facility.owner)
        decider = _member(facility.owner)
        clients = _clients(ctx, sector_key)
        offered = list(FacilityService.objects.unscoped().filter(facility=facility).order_by("pk"))
        for j, state in enumerate(ORDER_STATES if clients else ()):
            org, user = clients[j % len(clients)]
            _order(facility, offered[j % len(offered)], org, user, decider, state, j, now)
        if facility.kind == F.INSTRUMENT:
            continue
        # Recognised centres meet the bar (3 verified, 2 transferred); trial ones are on their way.
        outcomes = (P.TRANSFERRED, P.TRANSFERRED, P.VERIFIED, P.RUNNING) if facility.recognised_at else (
            P.VERIFIED, P.RUNNING)  # fmt: skip
        for k, outcome in enumerate(outcomes):
            done = outcome in (P.VERIFIED, P.TRANSFERRED)
            Project.objects.unscoped().create(
                facility=facility,
                title=f"{SECTOR[sector_key].label}成果验证项目（{n + 1}-{k + 1}）",
                team=f"{facility.owner.short_name or facility.owner.name}课题组",
                goals="完成原理验证与样机试制，形成可转化的技术方案。",
                results="关键指标达到预期，形成验证报告。" if done else "",
                transferred_to="本地企业技术许可" if outcome == P.TRANSFERRED else "",
                status=outcome,
                verified_at=now - timedelta(days=60 - 10 * k) if done else None,
                transferred_at=now - timedelta(days=20 - 5 * k) if outcome == P.TRANSFERRED else None,
                created_by=decider,
            )
    _recognition(ctx, facilities)
    ctx.notes.append(f"概念验证与中试：{len(facilities)} 个服务平台。")


def _recognition(ctx: DemoContext, facilities: list[Facility]) -> None:
    """A piloted verification centre has applied for recognition and the operator formed its panel: the
    recognition page shows a round in 待评审 (experts are seated by the operator)."""
    from techmarket.facilities import recognition

    operator = ctx.users.get("demo_operator")
    for facility in facilities:
        if facility.kind != F.VERIFICATION or facility.status != Facility.Status.TRIAL:
            continue
        admin = _member(facility.owner, roles=(Role.ORG_ADMIN,))
        if admin is None or operator is None:
            continue
        verified = Project.objects.unscoped().filter(facility=facility, status=P.VERIFIED).count()
        round_ = recognition.recognition_apply(
            facility=facility,
            acting_user=admin,
            statement=f"{facility.name}试点运行一年，已完成验证项目 {verified} 项，"
            "具备原理验证、样机试制和小批量试产能力，申请认定为市级概念验证中心。",
        )
        recognition.recognition_panel_create(
            recognition=round_,
            acting_user=operator,
            criteria="服务条件与能力 30\n验证项目成效 40\n成果转化绩效 30",
        )
        return


def _order(
    facility: Facility, offered: FacilityService, org: Organization, user: Any, decider: Any, state: str, j: int,
    now: Any,
) -> Booking:  # fmt: skip
    """One order in ``state`` with the stamps of the steps it went through (a delivered one with a report)."""
    steps = ORDER_STATES.index(state) if state in ORDER_STATES[:6] else 0
    past = state in (B.DELIVERED, B.EVALUATED)
    start = _workday(now, -(j + 3) if past else j + 1) if facility.books_slots or steps >= 3 else None
    price = offered.price if offered.price is not None else Decimal(20000 + 5000 * j)
    booking = Booking.objects.unscoped().create(
        facility=facility,
        facility_service=offered,
        requested_by=user,
        organization=org,
        service=offered.name,
        message="希望尽快安排，样品已准备好。",
        starts_at=start,
        ends_at=start + timedelta(hours=2) if start else None,
        status=B.SCHEDULED if past else state,
        decided_by=decider if state != B.PENDING else None,
        decided_at=now - timedelta(days=12) if state != B.PENDING else None,
        decision_note="本月排期已满，建议下月再约。" if state == B.DECLINED else "",
        due_at=now + timedelta(days=3) if state == B.PENDING else None,
        quote_price=price if steps >= 1 or state == B.CANCELLED else None,
        quote_date=(now + timedelta(days=offered.lead_time_days)).date() if steps >= 1 else None,
        quoted_at=now - timedelta(days=11) if steps >= 1 or state == B.CANCELLED else None,
        accepted_at=now - timedelta(days=10) if steps >= 2 else None,
        scheduled_at=now - timedelta(days=9) if steps >= 3 else None,
        order_note="报价超出预算，暂不委托。" if state == B.CANCELLED else "",
    )
    if past:
        version = document_upload(
            obj=booking, acting_user=decider, upload=ContentFile(DEMO_REPORT, name=f"服务报告-{booking.pk}.pdf"),
            title=f"服务报告：{offered.name}",
        )  # fmt: skip
        Booking.objects.unscoped().filter(pk=booking.pk).update(
            status=state,
            report=version.document,
            delivered_at=now - timedelta(days=2),
            rating=5 - j % 2 if state == B.EVALUATED else None,
            rating_comment="报告清楚，周期符合约定。" if state == B.EVALUATED else "",
            evaluated_at=now - timedelta(days=1) if state == B.EVALUATED else None,
        )
    return booking
