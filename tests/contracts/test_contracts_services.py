"""技术交易额 arithmetic, the bad input the service refuses (writing nothing), stale saves, payments."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import UserFactory

from techmarket.audit.models import AuditLog
from techmarket.contracts import services
from techmarket.contracts.models import ContractParty, PaymentMode, TechContract
from techmarket.orgs.validators import make_uscc

from .conftest import SIGNED, make_contract, outside_party, party

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("total", "deductions", "expected"),
    [
        ("1000000.00", [], "1000000.00"),
        ("1000000.00", ["150000"], "850000.00"),
        # 设备 12.5 万 + 材料 3.333 万 + 差旅 0.01 元, worked out by hand
        ("500000", ["125000", "33330.50", "0.01"], "341669.49"),
        ("88000.10", ["88000.10"], "0.00"),
    ],
)
def test_technical_amount_is_total_less_itemised_deductions(total, deductions, expected):
    got = services.technical_amount(Decimal(total), [Decimal(d) for d in deductions])
    assert got == Decimal(expected)
    assert isinstance(got, Decimal)


def test_money_refuses_floats_and_rounds_to_cents():
    with pytest.raises(TypeError):
        services.money(0.1)
    assert services.money("1,234.565") == Decimal("1234.57")


def test_created_contract_stores_technical_amount_parties_and_one_audit_record(
    contract, university, enterprise
):
    assert contract.total_amount == Decimal("1000000.00")
    assert contract.technical_amount == Decimal("850000.00")
    assert contract.status == TechContract.Status.DRAFT
    assert contract.seller.organization == university and contract.seller.uscc == university.uscc
    assert contract.buyer.organization == enterprise and contract.buyer.kind == "enterprise"
    assert AuditLog.objects.filter(action="contracts.contract.create").count() == 1


def _refused(university, enterprise, user, **kwargs) -> ValidationError:
    before = (TechContract.objects.count(), ContractParty.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as info:
        make_contract(
            seller=kwargs.pop("seller", university),
            buyer=kwargs.pop("buyer", enterprise),
            acting_user=user,
            **kwargs,
        )
    assert (TechContract.objects.count(), ContractParty.objects.count(), AuditLog.objects.count()) == before
    return info.value


def test_deductions_above_total_are_refused(university, enterprise, seller_user):
    err = _refused(
        university, enterprise, seller_user, total="100000", deductions=[("设备", "80000"), ("材料", "30000")]
    )
    assert (
        "非技术性费用合计 110,000.00 元（11 万元）超过合同成交额 100,000.00 元（10 万元）"
        in err.message_dict["deductions"][0]
    )


def test_negative_total_and_non_positive_deduction_are_refused(university, enterprise, seller_user):
    err = _refused(university, enterprise, seller_user, total="-5", deductions=[("场地", "0")])
    assert err.message_dict["total_amount"] == ["合同成交额不能为负数。"]
    assert "金额应大于 0" in err.message_dict["deductions"][0]


def test_dates_in_wrong_order_are_refused(university, enterprise, seller_user):
    err = _refused(
        university,
        enterprise,
        seller_user,
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 1),
    )
    assert "早于履行期限起" in err.message_dict["ends_on"][0]
    err = _refused(university, enterprise, seller_user, ends_on=SIGNED - datetime.timedelta(days=1))
    assert "早于签订日期" in err.message_dict["ends_on"][0]
    err = _refused(
        university, enterprise, seller_user, signed_on=datetime.date.today() + datetime.timedelta(days=3)
    )
    assert "晚于今天" in err.message_dict["signed_on"][0]


def test_wrong_credit_code_and_same_party_twice_are_refused(university, enterprise, seller_user):
    bad = outside_party("buyer", name="外地公司")
    bad.uscc = bad.uscc[:-1] + ("0" if bad.uscc[-1] != "0" else "1")
    err = _refused(university, enterprise, seller_user, buyer=bad)
    assert "校验位错误" in " ".join(err.message_dict["parties"])
    err = _refused(university, enterprise, seller_user, buyer=party("buyer", university))
    assert "同一主体不能与自己订立技术合同" in " ".join(err.message_dict["parties"])


def test_missing_seller_is_refused(university, enterprise, seller_user):
    err = _refused(university, enterprise, seller_user, seller=party("buyer", university))
    assert "有且只有一个买方和一个卖方" in " ".join(err.message_dict["parties"])


def test_schedule_must_fit_the_payment_mode_and_the_total(university, enterprise, seller_user):
    d1, d2 = datetime.date(2026, 4, 1), datetime.date(2026, 9, 1)
    err = _refused(
        university, enterprise, seller_user, schedule=[(d1, Decimal("1"), ""), (d2, Decimal("1"), "")]
    )
    assert "一次性支付的合同只能有一期" in " ".join(err.message_dict["schedule"])
    err = _refused(
        university,
        enterprise,
        seller_user,
        payment_mode=PaymentMode.INSTALMENTS,
        schedule=[(d1, Decimal("600000"), ""), (d2, Decimal("600000"), "")],
    )
    assert "付款计划合计 1,200,000.00 元（120 万元）超过合同成交额" in " ".join(err.message_dict["schedule"])
    err = _refused(
        university,
        enterprise,
        seller_user,
        schedule=[(SIGNED - datetime.timedelta(days=1), Decimal("5"), "")],
    )
    assert "早于签订日期" in " ".join(err.message_dict["schedule"])


def test_party_outside_the_platform_is_kept_with_its_code(university, seller_user):
    buyer = outside_party("buyer", name="北京测试科技有限公司")
    c = make_contract(seller=university, buyer=buyer, acting_user=seller_user)
    assert c.buyer.organization is None
    assert c.buyer.uscc == make_uscc("91110108000000001")
    assert c.buyer.region_id == "110108"


def _update(c, user, version, **overrides):
    kwargs = {
        "title": c.title,
        "contract_type": c.contract_type,
        "signed_on": c.signed_on,
        "total_amount": c.total_amount,
        "payment_mode": c.payment_mode,
        "parties": [party("seller", c.seller.organization), party("buyer", c.buyer.organization)],
        "deductions": [(d.item, d.amount) for d in c.deductions.all()],
    }
    kwargs.update(overrides)
    return services.contract_update(contract=c, acting_user=user, expected_version=version, **kwargs)


def test_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(contract, seller_user, buyer_user):
    first = TechContract.objects.get(pk=contract.pk)
    second = TechContract.objects.get(pk=contract.pk)
    _update(first, seller_user, 1, total_amount=Decimal("1200000"))
    with pytest.raises(ValidationError) as info:
        _update(second, buyer_user, 1, total_amount=Decimal("900000"))
    assert "该合同已被他人修改（当前版本 2），您的修改没有保存" in info.value.messages[0]
    fresh = TechContract.objects.get(pk=contract.pk)
    assert (fresh.total_amount, fresh.technical_amount, fresh.version) == (
        Decimal("1200000.00"),
        Decimal("1050000.00"),
        2,
    )


def test_registered_contract_cannot_be_edited_by_the_parties(contract, seller_user, operator):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    services.contract_move(
        contract=contract,
        action="register",
        acting_user=operator,
        registration_number="3713002026000001",
        registered_on=SIGNED,
    )
    with pytest.raises(ValidationError) as info:
        _update(contract, seller_user, contract.version)
    assert "不能修改" in info.value.messages[0]


def test_stranger_cannot_edit_or_record_payments(contract):
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        _update(contract, stranger, contract.version)
    with pytest.raises(PermissionDenied):
        services.payment_record(
            contract=contract, acting_user=stranger, received_on=SIGNED, amount=Decimal("1")
        )


def test_payments_against_the_schedule_and_their_limits(university, enterprise, seller_user):
    d1, d2 = datetime.date(2026, 4, 1), datetime.date(2026, 6, 1)
    c = make_contract(
        seller=university,
        buyer=enterprise,
        acting_user=seller_user,
        total="300000",
        payment_mode=PaymentMode.INSTALMENTS,
        schedule=[(d1, Decimal("100000"), "首付款"), (d2, Decimal("200000"), "验收款")],
    )
    first = c.schedule.all()[0]
    services.payment_record(
        contract=c, acting_user=seller_user, received_on=d1, amount=Decimal("100000"), instalment=first
    )
    assert c.received_total == Decimal("100000.00")
    with pytest.raises(ValidationError) as info:
        services.payment_record(
            contract=c, acting_user=seller_user, received_on=d2, amount=Decimal("200000.01")
        )
    assert "累计到账 300,000.01 元（30 万元）将超过合同成交额" in info.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as info:
        services.payment_record(
            contract=c,
            acting_user=seller_user,
            received_on=SIGNED - datetime.timedelta(days=1),
            amount=Decimal("5"),
        )
    assert "早于合同签订日期" in info.value.message_dict["received_on"][0]
    assert c.payments.count() == 1


def test_retired_type_cannot_be_chosen(university, enterprise, seller_user):
    from .conftest import contract_type

    retired = contract_type("技术培训")
    retired.is_active = False
    retired.save()
    err = _refused(university, enterprise, seller_user, contract_type=retired)
    assert "已停用" in err.message_dict["contract_type"][0]


def test_every_type_of_the_reference_table_is_loaded_as_data():
    from techmarket.contracts.models import ContractType

    assert ContractType.objects.count() == 13
    assert set(ContractType.objects.values_list("type_name", flat=True)) == {
        "技术开发",
        "技术转让",
        "技术许可",
        "技术咨询",
        "技术服务",
    }
