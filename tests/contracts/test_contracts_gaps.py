"""Patent numbers checked and normalised, linked achievements, payment corrections, the admin's amounts."""

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
