"""Reads of voucher batches, vouchers and their uses: the one place that decides who sees what.

- The bureau (科技局用户) and platform operators see every batch, voucher and use.
- An enterprise's members see the vouchers their enterprise holds and the uses of them.
- A provider's members see the uses claimed from their organisation (and, through them, nothing else
  of the voucher: the list of vouchers stays the holder's).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import Voucher, VoucherBatch, VoucherUse


def is_bureau_side(user: Any) -> bool:
    """The bureau and the platform operators (who act for it) see and settle every voucher."""
    return bool(getattr(user, "is_authenticated", False)) and (
        roles.is_bureau(user) or roles.is_operator(user)
    )


def issuing_organisations(user: Any) -> list[Organization]:
    """Government organisations in which the user holds the bureau role: they issue vouchers."""
    if not getattr(user, "is_authenticated", False) or not roles.is_bureau(user):
        return []
    from techmarket.orgs.models import Membership, Role

    ids = Membership.objects.filter(
        user=user,
        role=Role.BUREAU,
        is_active=True,
        organization__kind=Organization.Kind.GOVERNMENT,
        organization__status=Organization.Status.APPROVED,
    ).values_list("organization_id", flat=True)
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def _org_ids(user: Any) -> list[int]:
    return [o.pk for o in roles.user_organizations(user)]


def holder_organisations(user: Any) -> list[Organization]:
    """Enterprises the user belongs to: they may hold and spend vouchers."""
    return [o for o in roles.user_organizations(user) if o.kind == Organization.Kind.ENTERPRISE]


def batch_list_visible_to(user: Any) -> QuerySet[VoucherBatch]:
    qs = VoucherBatch.objects.select_related("issuer")
    return qs if is_bureau_side(user) else qs.none()


def batch_get_visible(user: Any, pk: int) -> VoucherBatch:
    batch = batch_list_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("创新券批次不存在或您无权查看。")
    return batch


def voucher_visible_q(user: Any) -> Q:
    if is_bureau_side(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(holder_id__in=_org_ids(user))


def voucher_list_visible_to(
    user: Any,
    *,
    q: str = "",
    state: str = "",
    batch: int | None = None,
    holder: int | None = None,
    **_ignored: Any,
) -> QuerySet[Voucher]:
    qs = Voucher.objects.scoped(voucher_visible_q(user)).select_related("batch", "holder")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(code__icontains=q) | Q(holder__name__icontains=q) | Q(batch__name__icontains=q))
    if batch:
        qs = qs.filter(batch_id=batch)
    if holder:
        qs = qs.filter(holder_id=holder)
    if state:
        qs = filter_state(qs, state)
    return qs


def filter_state(qs: QuerySet[Voucher], state: str) -> QuerySet[Voucher]:
    """The same states as ``Voucher.state``, as a filter (today is the Asia/Shanghai date)."""
    today = timezone.localdate()
    S = Voucher.State
    active = qs.filter(status=Voucher.Status.ACTIVE)
    if state == S.REVOKED:
        return qs.filter(status=Voucher.Status.REVOKED)
    if state == S.SPENT:
        return active.filter(balance=0)
    if state == S.EXPIRED:
        return active.filter(balance__gt=0, valid_until__lt=today)
    if state == S.ISSUED:
        return active.filter(balance=F("amount"), valid_until__gte=today)
    if state == S.PARTLY_SPENT:
        return active.filter(balance__gt=0, balance__lt=F("amount"), valid_until__gte=today)
    return qs


def voucher_get_visible(user: Any, pk: int) -> Voucher:
    voucher = voucher_list_visible_to(user).filter(pk=pk).first()
    if voucher is None:
        raise Http404("创新券不存在或您无权查看。")
    return voucher


def use_visible_q(user: Any) -> Q:
    if is_bureau_side(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    orgs = _org_ids(user)
    return Q(voucher__holder_id__in=orgs) | Q(provider_id__in=orgs)


def uses_visible_to(
    user: Any,
    *,
    status: str = "",
    voucher: Voucher | None = None,
    provider: int | None = None,
    **_ignored: Any,
) -> QuerySet[VoucherUse]:
    qs = VoucherUse.objects.scoped(use_visible_q(user)).select_related(
        "voucher", "voucher__holder", "provider", "booking", "booking__facility"
    )
    if status:
        qs = qs.filter(status=status)
    if voucher is not None:
        qs = qs.filter(voucher=voucher)
    if provider:
        qs = qs.filter(provider_id=provider)
    return qs


def use_get_visible(user: Any, pk: int) -> VoucherUse:
    use = uses_visible_to(user).filter(pk=pk).first()
    if use is None:
        raise Http404("创新券使用记录不存在或您无权查看。")
    return use


def spendable_bookings(user: Any, voucher: Voucher) -> QuerySet[Any]:
    """Bookings of the holder whose quote was accepted (and not cancelled since), at a facility of a kind the
    voucher may buy, not yet paid by it."""
    from techmarket.facilities.models import COMMITTED_BOOKING
    from techmarket.facilities.selectors import bookings_visible_to

    paid = VoucherUse.objects.unscoped().filter(voucher=voucher).exclude(status=VoucherUse.Status.CANCELLED)
    return (
        bookings_visible_to(user)
        .filter(
            organization_id=voucher.holder_id,
            status__in=COMMITTED_BOOKING,
            facility__kind__in=list(voucher.categories),
        )
        .exclude(pk__in=paid.values("booking_id"))
    )


def with_totals(qs: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """Each voucher with the amounts its providers claimed (incl. settled) and the bureau settled."""
    from decimal import Decimal

    from django.db.models import DecimalField, Sum, Value
    from django.db.models.functions import Coalesce

    S = VoucherUse.Status
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
    return qs.annotate(
        claimed_total=Coalesce(Sum("uses__amount", filter=Q(uses__status__in=[S.CLAIMED, S.SETTLED])), zero),
        settled_total=Coalesce(Sum("uses__amount", filter=Q(uses__status=S.SETTLED)), zero),
    )
