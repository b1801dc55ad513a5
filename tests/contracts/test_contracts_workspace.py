"""The 技术合同 panel on the workspace: parties see their own counts, the register sees its queue."""

from factories import UserFactory

from techmarket.contracts import services, workspace
from techmarket.contracts.models import TechContract


def _links(user):
    panel = workspace.panel(user)
    return None if panel is None else {label: (url, n) for label, url, n in panel["links"]}


def test_parties_see_their_contracts_by_state_strangers_get_no_panel(contract, buyer_user, seller_user, db):
    assert _links(buyer_user)["待提交的合同"] == ("/contracts/?status=draft", 1)
    assert _links(seller_user)["已登记合同"] == ("/contracts/?status=registered", 0)
    assert _links(UserFactory()) is None


def test_operator_and_bureau_see_the_registration_queue(contract, seller_user, operator, bureau_user):
    services.contract_move(contract=contract, action="submit", acting_user=seller_user)
    for user in (operator, bureau_user):
        links = _links(user)
        assert links["待认定登记的合同"] == ("/contracts/?status=submitted", 1)
        assert "待提交的合同" not in links
    assert TechContract.objects.get().status == "submitted"


def test_workspace_page_shows_the_panel(client, contract, buyer_user):
    client.force_login(buyer_user)
    page = client.get("/workspace/").content.decode()
    assert "技术合同" in page and "/contracts/?status=draft" in page
