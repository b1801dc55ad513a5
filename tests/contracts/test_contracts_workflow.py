"""Registration: 待提交 → 待认定 → 已登记 (number, date) or 不予登记 (reason); who may do what; stale moves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import UserFactory

from techmarket.contracts import services
from techmarket.contracts.models import TechContract
from techmarket.workflow.engine import StaleTransition

from .conftest import SIGNED

pytestmark = pytest.mark.django_db
S = TechContract.Status


def test_submit_then_register_with_number_and_date(contract, seller_user, bureau_user):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    assert contract.status == S.SUBMITTED and contract.due_at is not None
    services.contract_move(
        contract=contract,
        action="register",
        acting_user=bureau_user,
        registration_number="3713002026000007",
        registered_on=datetime.date(2026, 3, 20),
    )
    contract.refresh_from_db()
    assert contract.status == S.REGISTERED
    assert contract.registration_number == "3713002026000007"
    assert contract.registered_on == datetime.date(2026, 3, 20)
    assert contract.decided_by == bureau_user and contract.due_at is None


def test_register_needs_number_and_a_date_after_signing(contract, seller_user, operator):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    with pytest.raises(ValidationError) as info:
        services.contract_move(
            contract=contract,
            action="register",
            acting_user=operator,
            registered_on=SIGNED - datetime.timedelta(days=1),
        )
    assert info.value.message_dict["registration_number"] == ["认定登记必须填写登记编号。"]
    assert "早于合同签订日期" in info.value.message_dict["registered_on"][0]
    contract.refresh_from_db()
    assert contract.status == S.SUBMITTED


def test_refusal_needs_a_reason_the_applicant_sees(contract, seller_user, operator):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    with pytest.raises(ValidationError) as info:
        services.contract_move(contract=contract, action="refuse", acting_user=operator)
    assert "不予登记必须写明原因" in info.value.message_dict["reason"][0]
    services.contract_move(
        contract=contract,
        action="refuse",
        acting_user=operator,
        reason="属于一般技术服务中的常规检测，不予登记",
    )
    contract.refresh_from_db()
    assert contract.status == S.REFUSED and "常规检测" in contract.review_note
    services.contract_move(contract=contract, action="revise", acting_user=seller_user)
    assert contract.status == S.DRAFT


def test_parties_cannot_register_their_own_contract_and_strangers_cannot_submit(contract, seller_user):
    with pytest.raises(PermissionDenied):
        services.contract_move(contract=contract, action="submit", acting_user=UserFactory())
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    with pytest.raises(PermissionDenied):
        services.contract_move(
            contract=contract,
            action="register",
            acting_user=seller_user,
            registration_number="X1",
            registered_on=SIGNED,
        )


def test_second_of_two_concurrent_decisions_is_refused(contract, seller_user, operator, bureau_user):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    seen = TechContract.objects.get(pk=contract.pk)
    services.contract_move(contract=contract, action="refuse", acting_user=operator, reason="材料不全")
    with pytest.raises(StaleTransition) as info:
        services.contract_move(
            contract=seen,
            action="register",
            acting_user=bureau_user,
            registration_number="3713002026000009",
            registered_on=SIGNED,
        )
    assert "该条目已被他人处理（当前状态：不予登记）" in info.value.messages[0]


def test_registration_number_is_unique(contract, university, enterprise, seller_user, operator):
    from .conftest import make_contract

    other = make_contract(seller=university, buyer=enterprise, acting_user=seller_user, title="第二份合同")
    for c in (contract, other):
        services.contract_move(contract=c, action="submit", acting_user=seller_user)
    services.contract_move(
        contract=contract,
        action="register",
        acting_user=operator,
        registration_number="R-1",
        registered_on=SIGNED,
    )
    with pytest.raises(ValidationError) as info:
        services.contract_move(
            contract=other,
            action="register",
            acting_user=operator,
            registration_number="R-1",
            registered_on=SIGNED,
        )
    assert "已被其他合同使用" in info.value.message_dict["registration_number"][0]


def test_api_moves_with_the_state_the_client_saw(contract, client, seller_user, operator):
    client.force_login(seller_user)
    url = f"/api/contracts/{contract.pk}/actions"
    assert (
        client.post(
            url, {"action": "submit", "expected_state": "draft"}, content_type="application/json"
        ).json()["status"]
        == "submitted"
    )
    client.force_login(operator)
    stale = client.post(
        url, {"action": "refuse", "expected_state": "draft", "reason": "x"}, content_type="application/json"
    )
    assert stale.status_code == 422 and "已被他人处理" in str(stale.json()["error"])
    body = client.post(
        url,
        {
            "action": "register",
            "expected_state": "submitted",
            "registration_number": "R-API-1",
            "registered_on": "2026-03-20",
        },
        content_type="application/json",
    ).json()
    assert (body["status"], body["registration_number"], body["technical_amount"]) == (
        "registered",
        "R-API-1",
        "850000.00",
    )
