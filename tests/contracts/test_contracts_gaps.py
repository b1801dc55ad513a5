"""Patent numbers checked and normalised, linked achievements, payment corrections, the admin's amounts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from factories import UserFactory

from techmarket.contracts.models import TechContract
from techmarket.imports import services as import_services
from techmarket.imports.specs import get_spec

from .conftest import make_contract

pytestmark = pytest.mark.django_db


def test_patent_numbers_are_normalised_on_save(university, enterprise, seller_user):
    contract = make_contract(
        seller=university,
        buyer=enterprise,
        acting_user=seller_user,
        patent_numbers="zl 2023 1012 3456．6，202320567890.9；ZL202310123456.6",
    )
    assert contract.patent_numbers == "ZL202310123456.6、202320567890.9"


def test_a_wrong_check_digit_is_refused_naming_the_number_and_the_expected_digit(
    university, enterprise, seller_user
):
    with pytest.raises(ValidationError) as exc:
        make_contract(
            seller=university,
            buyer=enterprise,
            acting_user=seller_user,
            patent_numbers="ZL202310123456.6、ZL202310123456.3",
        )
    assert exc.value.message_dict["patent_numbers"] == [
        "关联专利号：专利号 ZL202310123456.3 校验位错误（应为 6）"
    ]
    assert not TechContract.objects.unscoped().exists()


def test_the_form_shows_the_patent_error_on_its_field(contract, client, seller_user):
    client.force_login(seller_user)
    page = client.get(f"/contracts/{contract.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["patent_numbers"] = "202310123456.1"
    response = client.post(f"/contracts/{contract.pk}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["patent_numbers"] == [
        "关联专利号：申请号 202310123456.1 校验位错误（应为 6）"
    ]
    contract.refresh_from_db()
    assert contract.patent_numbers == "" and contract.version == 1


def test_the_sheet_normalises_patent_numbers_and_names_a_bad_check_digit(operator):
    from .test_contracts_pages import _row, _sheet

    spec = get_spec("contracts")
    owner = operator.memberships.get().organization
    bad = _sheet([_row("HT-P1", **{"关联专利号": "ZL202310123456.6、zl2023 2056 7890.1"})])
    result = import_services.import_commit(spec, bad, acting_user=operator, owner=owner)
    assert not result.ok
    assert any("ZL202320567890.1 校验位错误（应为 9）" in e.problem for e in result.errors), [
        (e.column, e.problem) for e in result.errors
    ]
    assert not TechContract.objects.unscoped().exists()
    good = _sheet([_row("HT-P1", **{"关联专利号": "zl 2023 1012 3456.6"})])
    assert import_services.import_commit(spec, good, acting_user=operator, owner=owner).ok
    assert TechContract.objects.unscoped().get().patent_numbers == "ZL202310123456.6"


def test_admin_shows_amounts_and_deductions_read_only(contract, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/contracts/techcontract/{contract.pk}/change/").content.decode()
    assert "设备购置" in page
    assert 'name="total_amount"' not in page and 'name="deductions-0-amount"' not in page
    assert 'name="title"' in page


def _paid(contract, user, amount="300000", day=None):
    from techmarket.contracts import services

    return services.payment_record(
        contract=contract, acting_user=user, received_on=day or contract.signed_on, amount=Decimal(amount)
    )


def test_a_wrong_payment_is_corrected_checked_against_the_total_and_audited(contract, seller_user, client):
    from techmarket.audit.models import AuditLog

    first, second = _paid(contract, seller_user, "300000"), _paid(contract, seller_user, "500000")
    client.force_login(seller_user)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f"/contracts/{contract.pk}/payments/{first.pk}/edit/" in page
    url = f"/contracts/{contract.pk}/payments/{first.pk}/edit/"
    data = {f"pay{first.pk}-received_on": "2026-03-05", f"pay{first.pk}-note": "首付款"}
    # 500000 + 600000 > 1000000: refused, nothing changes
    page = client.post(
        url, {**data, f"pay{first.pk}-amount": "600000", f"pay{first.pk}-reason": "金额录错"}, follow=True
    )
    assert (
        "累计到账 1,100,000.00 元（110 万元）将超过合同成交额 1,000,000.00 元（100 万元）"
        in page.content.decode()
    )
    first.refresh_from_db()
    assert first.amount == Decimal("300000.00")
    # without a reason: refused
    client.post(url, {**data, f"pay{first.pk}-amount": "500000"})
    first.refresh_from_db()
    assert first.amount == Decimal("300000.00")
    client.post(url, {**data, f"pay{first.pk}-amount": "500000", f"pay{first.pk}-reason": "金额录错"})
    first.refresh_from_db()
    assert first.amount == Decimal("500000.00") and first.note == "首付款"
    assert contract.received_total == Decimal("1000000.00")
    log = AuditLog.objects.get(action="contracts.payment.update")
    assert log.note == "金额录错" and "300000" in str(log.before) and second.pk != first.pk


def test_a_payment_entered_twice_is_deleted_with_a_reason_by_the_recording_org_only(
    contract, seller_user, buyer_user, operator, client
):
    from techmarket.audit.models import AuditLog
    from techmarket.contracts.models import Payment

    payment = _paid(contract, seller_user)
    url = f"/contracts/{contract.pk}/payments/{payment.pk}/delete/"
    client.force_login(buyer_user)  # a party, but not the recording organisation
    assert f"/payments/{payment.pk}/delete/" not in client.get(f"/contracts/{contract.pk}/").content.decode()
    page = client.post(url, {"reason": "重复录入"}, follow=True).content.decode()
    assert "只有登记申请单位的成员和平台运营" in page and Payment.objects.filter(pk=payment.pk).exists()
    client.force_login(seller_user)
    client.post(url, {"reason": ""})
    assert Payment.objects.filter(pk=payment.pk).exists()
    client.post(url, {"reason": "重复录入"})
    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert AuditLog.objects.get(action="contracts.payment.delete").note == "重复录入"
    other = _paid(contract, seller_user)
    client.force_login(operator)
    client.post(f"/contracts/{contract.pk}/payments/{other.pk}/delete/", {"reason": "错挂合同"})
    assert not Payment.objects.filter(contract=contract).exists()


def _achievement(owner, title, **kw):
    from techmarket.achievements.models import Achievement
    from techmarket.catalog.models import ListingStatus, Visibility

    data = {"status": ListingStatus.PUBLISHED, "visibility": Visibility.PUBLIC, **kw}
    return Achievement.objects.create(owner=owner, title=title, summary="摘要", trl=5, **data)


def test_the_standalone_form_links_the_sellers_achievements_shown_with_links(
    contract, university, enterprise, seller_user, client
):
    from techmarket.catalog.models import Visibility

    mine = _achievement(university, "不锈钢表面纳米化处理技术")
    draft = _achievement(university, "未公开的热处理工艺", visibility=Visibility.ORGANIZATION)
    buyers = _achievement(enterprise, "买方自己的成果")
    client.force_login(seller_user)
    form_page = client.get(f"/contracts/{contract.pk}/edit/")
    offered = set(form_page.context["form"].fields["achievements"].queryset)
    assert mine in offered and buyers not in offered
    data = {k: v for k, v in form_page.context["form"].initial.items() if v is not None}
    response = client.post(f"/contracts/{contract.pk}/edit/", {**data, "achievements": [mine.pk]})
    assert response.status_code == 302, response.context["form"].errors
    assert list(contract.achievements.all()) == [mine]
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'href="/achievements/{mine.pk}/"' in page and "不锈钢表面纳米化处理技术" in page
    # the buyer's achievement is not the seller's: refused by the service even when posted directly
    api = client.put(
        f"/api/contracts/{contract.pk}/achievements",
        {"achievement_ids": [mine.pk, buyers.pk]},
        content_type="application/json",
    )
    assert api.status_code == 422 and "只能关联卖方机构的成果" in api.content.decode()
    assert list(contract.achievements.all()) == [mine]
    assert draft.pk  # members-only achievements of the seller are offered to its members
    api = client.put(
        f"/api/contracts/{contract.pk}/achievements",
        {"achievement_ids": [mine.pk, draft.pk]},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    assert {a["title"] for a in api.json()["achievements"]} == {mine.title, draft.title}


def test_an_achievement_the_user_cannot_see_is_refused(contract, university, buyer_user, seller_user):
    from techmarket.catalog.models import Visibility
    from techmarket.contracts import services

    hidden = _achievement(university, "仅本单位可见的成果", visibility=Visibility.ORGANIZATION)
    with pytest.raises(ValidationError) as exc:
        services.contract_set_achievements(contract=contract, acting_user=buyer_user, achievements=[hidden])
    assert "不存在或您无权查看" in str(exc.value.message_dict["achievements"])
    services.contract_set_achievements(contract=contract, acting_user=seller_user, achievements=[hidden])
    assert list(contract.achievements.all()) == [hidden]
