"""Reads of facilities, bookings and projects: the one place that decides who sees what.

- Facilities: 试点 and 已认定 are public; 已撤销 only to the owner organisation and operators.
- Bookings: the requesting organisation, the facility's organisation and operators.
- Projects: public with their facility (the outcome counts are the facility's record).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Booking, Facility, Project

PUBLIC_STATUSES = (Facility.Status.TRIAL, Facility.Status.RECOGNISED)


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
    owner: int | None = None,
    **_ignored: Any,
) -> QuerySet[Facility]:
    qs = Facility.objects.scoped(facility_visible_q(user)).select_related("owner", "region", "industry")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(summary__icontains=q) | Q(equipment__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region__code__startswith=region)
    if industry:
        qs = qs.filter(industry__code=industry)
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
    orgs = _org_ids(user)
    return Q(organization_id__in=orgs) | Q(facility__owner_id__in=orgs) | Q(requested_by_id=user.pk)


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
