"""Who is offered 录入合同 / 从 Excel 导入: the parties' organisations, operators and the bureau; banks,
guarantors and investors finance deals but do not record contracts, and the pages, the import and the
service refuse them the same way the list hides the buttons (one rule: selectors.may_record_contracts)."""

import pytest
from django.core.exceptions import PermissionDenied
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_bureau

from techmarket.contracts.selectors import contract_owner_choices, may_record_contracts
from techmarket.orgs.models import Organization, Role

from .conftest import make_contract

pytestmark = pytest.mark.django_db
K = Organization.Kind


def _member_of(kind: str):
    org = OrganizationFactory(kind=kind)
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


@pytest.mark.parametrize("kind", [K.BANK, K.GUARANTOR, K.INVESTOR])
def test_finance_organisations_are_not_offered_contract_recording(client, kind):
    user, _org = _member_of(kind)
    assert not may_record_contracts(user)
    client.force_login(user)
    page = client.get("/contracts/").content.decode()
    assert "录入合同" not in page and "从 Excel 导入" not in page and "/contracts/new/" not in page
    assert client.get("/contracts/new/").status_code == 403
    upload = client.get("/imports/contracts/")
    assert upload.status_code == 200
    assert "您所在的机构不能导入技术合同" in upload.content.decode()


@pytest.mark.parametrize("kind", [K.ENTERPRISE, K.UNIVERSITY, K.INSTITUTE, K.SERVICE])
def test_contract_parties_are_offered_both_actions(client, kind):
    user, org = _member_of(kind)
    assert contract_owner_choices(user) == [org]
    client.force_login(user)
    page = client.get("/contracts/").content.decode()
    assert "录入合同" in page and "从 Excel 导入" in page
    assert client.get("/contracts/new/").status_code == 200
    upload = client.get("/imports/contracts/").content.decode()
    assert org.name in upload and "不能导入" not in upload


def test_bureau_keeps_the_actions_with_its_government_organisation(client):
    bureau = make_bureau()
    assert may_record_contracts(bureau)
    client.force_login(bureau)
    assert "录入合同" in client.get("/contracts/").content.decode()


def test_the_service_refuses_a_contract_in_a_banks_name(university, enterprise):
    banker, bank = _member_of(K.BANK)
    with pytest.raises(PermissionDenied, match="不能以“.*”的名义录入技术合同"):
        make_contract(seller=university, buyer=enterprise, acting_user=banker, owner=bank)


def test_a_member_of_both_a_bank_and_an_enterprise_may_only_choose_the_enterprise():
    user, bank = _member_of(K.BANK)
    enterprise = OrganizationFactory(kind=K.ENTERPRISE)
    MembershipFactory(user=user, organization=enterprise, role=Role.MEMBER)
    assert contract_owner_choices(user) == [enterprise]
