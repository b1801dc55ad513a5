"""Saving one imported contract row through the services (used by sheet.py)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from techmarket.orgs.models import Organization
from techmarket.orgs.validators import normalize_uscc
from techmarket.reference.models import Industry, Region

from . import services
from .models import ContractType, TechContract
from .workflow import CONTRACT_REGISTRATION, OPERATOR


def _party(data: dict[str, Any], role: str) -> services.PartyData:
    uscc = normalize_uscc(data.get(f"{role}_uscc", ""))
    region = data.get(f"{role}_region")
    return services.PartyData(
        role=role,
        name=data.get(f"{role}_name", ""),
        uscc=uscc,
        kind=data.get(f"{role}_kind") or "",
        region=Region.objects.filter(code=region).first() if region else None,
        organization=Organization.objects.filter(uscc=uscc).first() if uscc else None,
    )


def save_row(
    data: dict[str, Any], existing: TechContract | None, acting_user: Any, owner: Organization
) -> Any:
    fields = {
        "title": data["title"],
        "contract_type": ContractType.objects.filter(pk=data["contract_type"]).first(),
        "signed_on": data["signed_on"],
        "starts_on": data.get("starts_on"),
        "ends_on": data.get("ends_on"),
        "total_amount": data["total_amount"],
        "payment_mode": data["payment_mode"],
        "parties": [_party(data, "seller"), _party(data, "buyer")],
        "deductions": data.get("deductions") or [],
        "schedule": data.get("schedule") or [],
        "industry": Industry.objects.filter(code=data["industry"]).first() if data.get("industry") else None,
        "patent_numbers": data.get("patent_numbers", ""),
        "summary": data.get("summary", ""),
        "contract_number": data.get("contract_number", ""),
    }
    number, day = data.get("registration_number", ""), data.get("registered_on")
    if existing is None:
        contract = services.contract_create(
            acting_user=acting_user, owner=owner, external_key=data["external_key"], **fields
        )
    else:
        contract = services.contract_update(
            contract=existing, acting_user=acting_user, expected_version=existing.version, **fields
        )
    if (number or day) and contract.status != TechContract.Status.REGISTERED:
        if OPERATOR not in CONTRACT_REGISTRATION.kinds(acting_user, contract):
            raise ValidationError(
                {"registration_number": [_("只有登记机构（运营、科技局）可以导入已登记的合同。")]}
            )
        if contract.status == TechContract.Status.DRAFT:
            contract = services.contract_move(contract=contract, action="submit", acting_user=acting_user)
        contract = services.contract_move(
            contract=contract,
            action="register",
            acting_user=acting_user,
            registration_number=number,
            registered_on=day,
        )
    return contract
