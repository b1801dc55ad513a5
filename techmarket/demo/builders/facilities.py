"""Demo facilities: each university and institute runs a 概念验证中心 in its first field, two run a 中试基地
and two share an instrument; enterprises of the same field book them (bookings in each state), and the
centres record verification projects, some since transferred, so the "3 verified, 2 transferred" bar and the
figures read as one story.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from techmarket.facilities.models import Booking, Facility, Project
from techmarket.orgs.models import Membership, Organization, Role
from techmarket.reference.models import Industry

from ..context import DemoContext
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
    industry = Industry.objects.filter(pk=sector.industries[0]).first()  # the sector's main division
    equipment = "\n".join(INSTRUMENTS[: 2 if kind != F.INSTRUMENT else 1])
    facility = Facility.objects.unscoped().create(
        name=name,
        kind=kind,
        owner=org,
        region=org.region,
        address=org.address,
        industry=industry,
        summary=f"面向{sector.label}领域，提供{'、'.join(SERVICES[kind])}等服务，承接高校院所成果的验证与熟化。",
        capacity=CAPACITY[kind],
        equipment=equipment,
        contact_name="平台办公室",
        contact_phone="0539-" + str(8000000 + org.pk)[-7:],
        status=status,
        recognised_at=now - timedelta(days=120) if status == Facility.Status.RECOGNISED else None,
    )
    return facility


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
        for j, (org, user) in enumerate(_clients(ctx, sector_key)):
            state = (B.ACCEPTED, B.PENDING, B.DECLINED, B.ACCEPTED)[j % 4]
            start = (now + timedelta(days=j + 1)).replace(hour=9) if facility.books_slots else None
            Booking.objects.unscoped().create(
                facility=facility,
                requested_by=user,
                organization=org,
                service=SERVICES[facility.kind][j % len(SERVICES[facility.kind])],
                message="希望尽快安排，样品已准备好。",
                starts_at=start,
                ends_at=start + timedelta(hours=2) if start else None,
                status=state,
                decided_by=decider if state != B.PENDING else None,
                decided_at=now - timedelta(days=2) if state != B.PENDING else None,
                decision_note="本月排期已满，建议下月再约。" if state == B.DECLINED else "",
                due_at=now + timedelta(days=3) if state == B.PENDING else None,
            )
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
    ctx.notes.append(f"概念验证与中试：{len(facilities)} 个服务平台。")
