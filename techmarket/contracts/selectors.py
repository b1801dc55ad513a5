"""Reads on technology contracts: THE visibility rule, and the lists built on it.

Who sees a contract: members of a party's organisation and of the organisation that recorded it, its
creator, the brokers of its engagement, operators and bureau officials. Nobody else.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import ContractParty, ContractType, TechContract

# Banks, guarantors and investors finance deals but are not parties to a technology contract: they
# neither record nor import contracts in their own name (their loans and investments have their own pages).
_K = Organization.Kind
CONTRACT_OWNER_KINDS = frozenset(_K) - {_K.BANK, _K.GUARANTOR, _K.INVESTOR}


def sees_every_contract(user: Any) -> bool:
    return roles.is_operator(user) or roles.is_bureau(user)


def contract_owner_choices(user: Any) -> list[Organization]:
    """The organisations in whose name the user may record or import contracts. Operators and bureau
    officials (who register contracts for everyone) keep all of theirs."""
    orgs = roles.user_organizations(user)
    if sees_every_contract(user):
        return orgs
    return [o for o in orgs if o.kind in CONTRACT_OWNER_KINDS]


def may_record_contracts(user: Any) -> bool:
    """Whether the user may record a contract or import a sheet of them (the 录入合同 / 从 Excel 导入 actions)."""
    return bool(contract_owner_choices(user))


def may_record_for(user: Any, owner: Organization) -> bool:
    if roles.is_bureau(user) or roles.is_operator(user):
        return True
    return owner.kind in CONTRACT_OWNER_KINDS and roles.is_org_member(user, owner)


def contract_visible_q(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_every_contract(user):
        return Q()
    orgs = [o.pk for o in roles.user_organizations(user)]
    party_contracts = ContractParty.objects.filter(organization_id__in=orgs).values("contract_id")
    rule = Q(owner_id__in=orgs) | Q(pk__in=party_contracts) | Q(created_by=user)
    return rule | _engagement_brokers_q(user)


def _engagement_brokers_q(user: Any) -> Q:
    from .engagement_link import brokered_by_q

    return brokered_by_q(user)


def contract_list_visible_to(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    contract_type: str = "",
    type_name: str = "",
    payment_mode: str = "",
    signed_from: date | None = None,
    signed_to: date | None = None,
) -> QuerySet[TechContract]:
    qs = (
        TechContract.objects.scoped(contract_visible_q(user))
        .select_related("contract_type", "owner", "engagement")
        .prefetch_related("parties")
    )
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(contract_number=q)
            | Q(registration_number=q)
            | Q(
                pk__in=ContractParty.objects.filter(Q(name__icontains=q) | Q(uscc=q.upper())).values(
                    "contract_id"
                )
            )
        )
    if status:
        qs = qs.filter(status=status)
    if contract_type.isdigit():
        qs = qs.filter(contract_type_id=int(contract_type))
    if type_name:
        qs = qs.filter(contract_type__type_name=type_name)
    if payment_mode:
        qs = qs.filter(payment_mode=payment_mode)
    if signed_from:
        qs = qs.filter(signed_on__gte=signed_from)
    if signed_to:
        qs = qs.filter(signed_on__lte=signed_to)
    return qs


def contract_get_visible(user: Any, pk: int) -> TechContract:
    item = (
        contract_list_visible_to(user)
        .select_related("industry", "created_by", "decided_by")
        .prefetch_related("deductions", "schedule", "payments", "achievements", "parties__region")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def registered_contracts(user: Any) -> QuerySet[TechContract]:
    return contract_list_visible_to(user, status=TechContract.Status.REGISTERED).order_by(
        "registered_on", "pk"
    )


def active_contract_types() -> QuerySet[ContractType]:
    return ContractType.objects.filter(is_active=True)


def type_names() -> list[str]:
    return list(dict.fromkeys(ContractType.objects.values_list("type_name", flat=True)))


def linkable_achievements(user: Any, *, seller_org_ids: Iterable[int], current: Iterable[int] = ()) -> Any:
    """Achievements the contract form offers: the possible sellers' ones the user may see (and those linked)."""
    from techmarket.achievements.selectors import achievement_list_visible_to

    return achievement_list_visible_to(user).filter(
        Q(owner_id__in=[o for o in seller_org_ids if o]) | Q(pk__in=list(current))
    )
