"""Reads of facilities, bookings and projects: the one place that decides who sees what.

- Facilities: 试点 and 已认定 are public; 已撤销 only to the owner organisation and operators.
- Services (the catalogue): public with their facility.
- Bookings, their quotes, reports and ratings: the requesting organisation, the person who asked, the brokers
  of the engagement it serves, the facility's organisation and operators.
- Projects: public with their facility (the outcome counts are the facility's record).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from techmarket.catalog.filters import region_q

from .models import Booking, Facility, FacilityService, Project

PUBLIC_STATUSES = (Facility.Status.TRIAL, Facility.Status.RECOGNISED)


def _field_prefetch() -> tuple[Any, ...]:
    """A facility's fields in three queries for a whole page (chain links with their chain and segment)."""
    from techmarket.reference.models import ChainNode

    return (
        "industries",
        "disciplines",
        Prefetch("chain_nodes", queryset=ChainNode.objects.select_related("chain", "parent")),
    )


def _with_field(industry: str = "", chain_node: int | None = None) -> Any:
    """Ids of the facilities with any industry code under ``industry`` (a section letter, a division or a
    finer code: see catalog.filters.industry_q) and any chain link at or under ``chain_node``; one
    subquery each over the link tables, so a facility with several matching codes is listed once."""
    from techmarket.catalog.filters import industry_q

    ids = Facility.objects.unscoped().values("pk")
    if industry:
        ids = ids.filter(
            pk__in=Facility.industries.through.objects.filter(industry_q(industry)).values("facility_id")
        )
    if chain_node:
        ids = ids.filter(
            pk__in=Facility.chain_nodes.through.objects.filter(
                Q(chainnode_id=chain_node) | Q(chainnode__parent_id=chain_node)
            ).values("facility_id")
        )
    return ids


def _org_ids(user: Any) -> list[int]:
    from techmarket.accounts import roles

    return [o.pk for o in roles.user_organizations(user)]


def _is_operator(user: Any) -> bool:
    from techmarket.accounts import roles

    return bool(getattr(user, "is_authenticated", False) and roles.is_operator(user))


def facility_visible_q(user: Any, prefix: str = "") -> Q:
    if _is_operator(user):
        return Q()
    q = Q(**{f"{prefix}status__in": PUBLIC_STATUSES})
    if getattr(user, "is_authenticated", False):
        orgs = _org_ids(user)
        if orgs:
            q |= Q(**{f"{prefix}owner_id__in": orgs})
    return q


def facility_list_visible_to(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    region: str = "",
    industry: str = "",
    chain_node: int | None = None,
    owner: int | None = None,
    **_ignored: Any,
) -> QuerySet[Facility]:
    qs = (
        Facility.objects.scoped(facility_visible_q(user))
        .select_related("owner", "region")
        .prefetch_related(*_field_prefetch())
    )
    if q:
        q = q.strip()[:100]
        with_service = FacilityService.objects.unscoped().filter(is_active=True, name__icontains=q)
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(summary__icontains=q)
            | Q(equipment__icontains=q)
            | Q(pk__in=with_service.values("facility_id"))
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region_q(region))
    if industry or chain_node:
        qs = qs.filter(pk__in=_with_field(industry, chain_node))
    if owner:
        qs = qs.filter(owner_id=owner)
    return qs


def facility_get_visible(user: Any, pk: int) -> Facility:
    facility = facility_list_visible_to(user).filter(pk=pk).first()
    if facility is None:
        raise Http404("服务平台不存在或您无权查看。")
    return facility


def facility_get_managed(user: Any, pk: int) -> Facility:
    """A facility the user may edit (owner organisation's administrator or operator), else 404."""
    from .permissions import may_manage

    facility = facility_get_visible(user, pk)
    if not may_manage(user, facility):
        raise Http404("服务平台不存在或您无权管理。")
    return facility


def _booking_visible_q(user: Any) -> Q:
    if _is_operator(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    from techmarket.engagements.models import Engagement

    orgs = _org_ids(user)
    brokered = (
        Engagement.objects.unscoped()
        .filter(Q(lead_broker_id=user.pk) | Q(assisting_brokers=user.pk))
        .values("pk")
    )
    return (
        Q(organization_id__in=orgs)
        | Q(facility__owner_id__in=orgs)
        | Q(requested_by_id=user.pk)
        | Q(engagement_id__in=brokered)
    )


def bookings_visible_to(
    user: Any, *, facility: Facility | None = None, status: str = "", mine: bool = False
) -> QuerySet[Booking]:
    qs = Booking.objects.scoped(_booking_visible_q(user)).select_related(
        "facility", "organization", "requested_by", "engagement"
    )
    if facility is not None:
        qs = qs.filter(facility=facility)
    if status:
        qs = qs.filter(status=status)
    if mine and getattr(user, "is_authenticated", False):
        qs = qs.filter(organization_id__in=_org_ids(user))
    return qs


def booking_get_visible(user: Any, pk: int) -> Booking:
    booking = bookings_visible_to(user).filter(pk=pk).first()
    if booking is None:
        raise Http404("预约不存在或您无权查看。")
    return booking


def projects_visible_to(
    user: Any, *, facility: Facility | None = None, status: str = ""
) -> QuerySet[Project]:
    qs = Project.objects.scoped(facility_visible_q(user, "facility__")).select_related("facility")
    if facility is not None:
        qs = qs.filter(facility=facility)
    if status:
        qs = qs.filter(status=status)
    return qs


def project_get_visible(user: Any, pk: int) -> Project:
    project = projects_visible_to(user).filter(pk=pk).first()
    if project is None:
        raise Http404("项目不存在或您无权查看。")
    return project


def facility_record(facility: Facility) -> dict[str, int]:
    """The facility's record: projects verified (including those since transferred) and transferred."""
    rows = dict(
        Project.objects.unscoped()
        .filter(facility=facility)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    transferred = rows.get(Project.Status.TRANSFERRED, 0)
    verified = rows.get(Project.Status.VERIFIED, 0) + transferred
    return {"verified": verified, "transferred": transferred, "running": rows.get(Project.Status.RUNNING, 0)}


def meets_record(facility: Facility) -> bool:
    """The policy's bar for a centre: at least 3 projects verified, at least 2 of them transferred."""
    r = facility_record(facility)
    return r["verified"] >= 3 and r["transferred"] >= 2


# ---------------------------------------------------------------- the service catalogue


def services_visible_to(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    facility: Facility | None = None,
    facility_kind: str = "",
    region: str = "",
    industry: str = "",
    chain_node: int | None = None,
    active_only: bool = True,
    **_ignored: Any,
) -> QuerySet[FacilityService]:
    """Services of the facilities the user sees, searchable by name, description and what to provide."""
    qs = FacilityService.objects.scoped(facility_visible_q(user, "facility__")).select_related(
        "facility", "facility__owner", "facility__region"
    )
    if active_only:
        qs = qs.filter(is_active=True)
    if facility is not None:
        qs = qs.filter(facility=facility)
    if q:
        q = q.strip()[:100]
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(requirements__icontains=q)
            | Q(facility__name__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if facility_kind:
        qs = qs.filter(facility__kind=facility_kind)
    if region:
        qs = qs.filter(region_q(region, "facility__region"))
    if industry or chain_node:
        qs = qs.filter(facility_id__in=_with_field(industry, chain_node))
    return qs.order_by("facility__name", "kind", "name", "pk")


def service_get_visible(user: Any, pk: int) -> FacilityService:
    service = services_visible_to(user, active_only=False).filter(pk=pk).first()
    if service is None:
        raise Http404("服务不存在或您无权查看。")
    return service


def facility_rating(facility: Facility) -> dict[str, Any]:
    """The requesters' ratings of the facility's delivered services (the mean is public with the facility)."""
    from django.db.models import Avg

    row = (
        Booking.objects.unscoped()
        .filter(facility=facility, rating__isnull=False)
        .aggregate(n=Count("pk"), mean=Avg("rating"))
    )
    return {"count": row["n"] or 0, "mean": round(float(row["mean"]), 1) if row["mean"] else None}


# The services that fit a stage of the transfer chain.
STAGE_SERVICE_KINDS: dict[str, tuple[str, ...]] = {
    "verification": (
        FacilityService.Kind.PRINCIPLE,
        FacilityService.Kind.PROTOTYPE,
        FacilityService.Kind.TESTING,
        FacilityService.Kind.MACHINE_HOURS,
    ),
    "pilot": (
        FacilityService.Kind.SMALL_BATCH,
        FacilityService.Kind.SCALE_UP,
        FacilityService.Kind.TESTING,
        FacilityService.Kind.MACHINE_HOURS,
    ),
}


def services_for_engagement(
    user: Any, engagement: Any, *, limit: int = 6
) -> list[tuple[FacilityService, str]]:
    """Services matched to an engagement in the 概念验证 or 中试熟化 stage by a plain code match (not the
    matching engine): the service kind fits the stage; facilities serving the need's chain link (or its
    segment) come first, then those with any industry code in the need's GB/T 4754 major class (every code of
    the facility counts, not only its first), then those of the same city (GB/T 2260 first four digits).
    Each with its reason."""
    kinds = STAGE_SERVICE_KINDS.get(engagement.stage)
    if not kinds:
        return []
    need = getattr(engagement, "need", None)
    industry = (getattr(need, "industry_id", None) or "")[:2] if need is not None else ""
    node = getattr(need, "chain_node", None) if need is not None and need.chain_node_id else None
    region = (getattr(need, "region_id", None) or getattr(engagement.demand_org, "region_id", None) or "")[:4]
    party_orgs = {engagement.demand_org_id, engagement.supply_org_id}
    rows = list(
        services_visible_to(user)
        .filter(kind__in=kinds, facility__status__in=PUBLIC_STATUSES)
        .exclude(facility__owner_id__in=[o for o in party_orgs if o])
        .prefetch_related("facility__industries", "facility__chain_nodes")[:300]
    )

    def reason_and_rank(s: FacilityService) -> tuple[int, str]:
        parts = [
            _("适合“%(stage)s”阶段的%(kind)s")
            % {"stage": engagement.get_stage_display(), "kind": s.get_kind_display()}
        ]
        rank = 0
        nodes = list(s.facility.chain_nodes.all())
        if node is not None and any(n.pk == node.pk for n in nodes):
            parts.append(_("服务同一产业链环节“%(node)s”") % {"node": node.name})
            rank += 4
        elif node is not None and any(n.pk == node.parent_id or n.parent_id == node.pk for n in nodes):
            parts.append(_("服务同一产业链环节的上下级"))
            rank += 3
        if industry and any(i.pk[:2] == industry for i in s.facility.industries.all()):
            parts.append(_("同属行业大类 %(code)s") % {"code": industry})
            rank += 2
        if region and (s.facility.region_id or "")[:4] == region:
            parts.append(_("同一城市"))
            rank += 1
        return rank, pgettext("clause separator", "；").join(parts)

    scored = [(s, *reason_and_rank(s)) for s in rows]
    scored.sort(key=lambda t: (-t[1], t[0].facility.name, t[0].pk))
    return [(s, reason) for s, _rank, reason in scored[:limit]]


# ---------------------------------------------------------------- utilisation of capacity


def _hours(delta: Any) -> Decimal:
    return Decimal(delta.total_seconds()) / Decimal(3600)


def available_hours(facility: Facility, start: datetime, end: datetime) -> Decimal:
    """Bookable hours of [start, end): each open day's opening hours (Beijing time; all day when none are
    set) within the window, times the number of services the facility runs at once."""
    total = Decimal(0)
    tz = timezone.get_current_timezone()
    day = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    while day <= last:
        if str(day.isoweekday()) in facility.open_weekdays:
            if facility.opens_at is not None and facility.closes_at is not None:
                lo = datetime.combine(day, facility.opens_at, tz)
                hi = datetime.combine(day, facility.closes_at, tz)
            else:
                lo = datetime.combine(day, time.min, tz)
                hi = datetime.combine(day + timedelta(days=1), time.min, tz)
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                total += _hours(hi - lo)
        day += timedelta(days=1)
    return total * max(facility.parallel_capacity, 1)


def booked_hours(facility_ids: list[int], start: datetime, end: datetime) -> dict[int, Decimal]:
    """Hours of committed bookings (quote accepted and later) inside [start, end), per facility."""
    from .models import COMMITTED_BOOKING

    out: dict[int, Decimal] = {}
    rows = (
        Booking.objects.unscoped()
        .filter(
            facility_id__in=facility_ids,
            status__in=COMMITTED_BOOKING,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .values_list("facility_id", "starts_at", "ends_at")
    )
    for facility_id, s, e in rows:
        out[facility_id] = out.get(facility_id, Decimal(0)) + _hours(min(e, end) - max(s, start))
    return out


def utilisation(facilities: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Booked hours / available hours per facility over [start, end) (utilisation in per cent, two places;
    None when the facility had no bookable hours)."""
    facilities = list(facilities)
    booked = booked_hours([f.pk for f in facilities], start, end)
    rows = []
    for f in facilities:
        available = available_hours(f, start, end)
        used = booked.get(f.pk, Decimal(0))
        rate = (used * 100 / available).quantize(Decimal("0.01"), ROUND_HALF_UP) if available else None
        rows.append(
            {
                "facility": f,
                "booked_hours": used.quantize(Decimal("0.01"), ROUND_HALF_UP),
                "available_hours": available.quantize(Decimal("0.01"), ROUND_HALF_UP),
                "utilisation": rate,
            }
        )
    return rows


# ---------------------------------------------------------------- recognition and evaluation

RECOGNITION_PUBLIC = ("publicity", "passed")


def seated_recognition_ids(user: Any) -> list[int]:
    """Recognition rounds on whose panel the user sits as an expert."""
    if not getattr(user, "is_authenticated", False):
        return []
    from django.contrib.contenttypes.models import ContentType

    from techmarket.challenges.models import PanelMember

    from .models import Recognition

    kind = ContentType.objects.get_for_model(Recognition)
    return list(
        PanelMember.objects.unscoped()
        .filter(panel__subject_type=kind, expert__user=user)
        .values_list("panel__subject_id", flat=True)
    )


def recognitions_visible_to(
    user: Any, *, facility: Facility | None = None, status: str = ""
) -> QuerySet[Any]:
    """Operators: every round; the owner organisation: its facilities' rounds; panel experts: the rounds they
    review; everybody: the rounds in 公示 and those passed (the publicity is public)."""
    from .models import Recognition

    if _is_operator(user):
        q = Q()
    else:
        q = Q(status__in=RECOGNITION_PUBLIC, facility__status__in=PUBLIC_STATUSES)
        if getattr(user, "is_authenticated", False):
            orgs = _org_ids(user)
            if orgs:
                q |= Q(facility__owner_id__in=orgs)
            seated = seated_recognition_ids(user)
            if seated:
                q |= Q(pk__in=seated)
    qs = Recognition.objects.scoped(q).select_related("facility__owner", "facility__region")
    if facility is not None:
        qs = qs.filter(facility=facility)
    if status:
        qs = qs.filter(status=status)
    return qs


def recognition_get_visible(user: Any, pk: int) -> Any:
    recognition = recognitions_visible_to(user).filter(pk=pk).first()
    if recognition is None:
        raise Http404("认定记录不存在或您无权查看。")
    return recognition


def recognition_objections_visible_to(user: Any, recognition: Any) -> list[Any]:
    """Operators and the owner organisation read every objection; others only their own."""
    from techmarket.accounts import roles

    from .models import RecognitionObjection

    qs = RecognitionObjection.objects.unscoped().filter(recognition=recognition).select_related("raised_by")
    if _is_operator(user) or (
        getattr(user, "is_authenticated", False) and roles.is_org_member(user, recognition.facility.owner)
    ):
        return list(qs)
    if not getattr(user, "is_authenticated", False):
        return []
    return list(qs.filter(raised_by=user))


def may_read_result(user: Any, recognition: Any) -> bool:
    """The panel's aggregate: operators once the panel closed; everyone who sees the round once decided."""
    return _is_operator(user) or recognition.status in ("publicity", "passed", "failed")
