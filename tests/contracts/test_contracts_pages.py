"""Who sees a contract (selector), the pages, the registered-contract export and the Excel import."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.contracts import services
from techmarket.contracts.export import HEADERS
from techmarket.contracts.models import TechContract
from techmarket.contracts.selectors import contract_list_visible_to
from techmarket.imports import services as import_services
from techmarket.imports.specs import get_spec
from techmarket.orgs.models import Role
from techmarket.orgs.validators import make_uscc

pytestmark = pytest.mark.django_db


def test_parties_members_operators_and_bureau_see_a_contract_others_do_not(
    contract, seller_user, buyer_user, operator, bureau_user
):
    for viewer in (seller_user, buyer_user, operator, bureau_user):
        assert list(contract_list_visible_to(viewer)) == [contract], viewer
    other_member = UserFactory()
    MembershipFactory(user=other_member, organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    for viewer in (other_member, make_broker(), UserFactory()):
        assert not contract_list_visible_to(viewer).exists()


def test_pages_open_for_a_party_and_are_404_for_a_stranger(contract, client, buyer_user):
    client.force_login(buyer_user)
    assert "高端不锈钢" in client.get("/contracts/").content.decode()
    detail = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "850,000.00" in detail and "设备购置" in detail
    assert client.get(f"/api/contracts/{contract.pk}").json()["technical_amount"] == "850000.00"
    client.force_login(UserFactory())
    assert client.get(f"/contracts/{contract.pk}/").status_code == 404
    assert client.get(f"/api/contracts/{contract.pk}").status_code == 404
    assert client.get("/api/contracts").json()["count"] == 0


def test_form_shows_chinese_errors_and_writes_nothing(client, seller_user, university, enterprise):
    client.force_login(seller_user)
    data = {
        "title": "测试合同",
        "contract_type": TechContract._meta.get_field("contract_type").related_model.objects.first().pk,
        "signed_on": "2026-03-02",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
        "total_amount": "100000",
        "deductions": "设备:90000\n材料:20000",
        "payment_mode": "lump_sum",
        "owner": university.pk,
        "seller_org": university.pk,
        "buyer_org": enterprise.pk,
    }
    page = client.post("/contracts/new/", data).content.decode()
    assert "非技术性费用合计 110,000.00 元（11 万元）超过合同成交额 100,000.00 元（10 万元）" in page
    assert "早于履行期限起" in page
    assert TechContract.objects.count() == 0
    data.update({"deductions": "设备:30000", "ends_on": "2026-12-31"})
    response = client.post("/contracts/new/", data)
    created = TechContract.objects.get()
    assert response.status_code == 302 and created.technical_amount == Decimal("70000.00")


def test_stale_edit_page_keeps_the_form_and_says_why(contract, client, seller_user, buyer_user):
    client.force_login(seller_user)
    form = client.get(f"/contracts/{contract.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["owner"] = contract.owner_id
    services.contract_update(
        contract=contract,
        acting_user=buyer_user,
        expected_version=1,
        title="买方先改了名称",
        contract_type=contract.contract_type,
        signed_on=contract.signed_on,
        total_amount=contract.total_amount,
        payment_mode=contract.payment_mode,
        parties=[
            services.PartyData(role=p.role, organization=p.organization) for p in contract.parties.all()
        ],
    )
    data["title"] = "卖方也在改"
    page = client.post(f"/contracts/{contract.pk}/edit/", data).content.decode()
    assert "该合同已被他人修改" in page
    assert TechContract.objects.get(pk=contract.pk).title == "买方先改了名称"


def test_registration_through_the_page_and_export_of_registered_contracts(
    contract, client, seller_user, operator
):
    client.force_login(seller_user)
    client.post(f"/contracts/{contract.pk}/move/", {"action": "submit", "expected_state": "draft"})
    client.force_login(operator)
    client.post(
        f"/contracts/{contract.pk}/move/",
        {
            "action": "register",
            "expected_state": "submitted",
            "registration_number": "3713002026000011",
            "registered_on": "2026-03-20",
        },
    )
    contract.refresh_from_db()
    assert contract.status == TechContract.Status.REGISTERED
    response = client.get("/contracts/registered.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert HEADERS[:4] == ["登记编号", "登记日期", "合同编号", "合同名称"]
    record = dict(zip(HEADERS, rows[1], strict=True))
    assert record["登记编号"] == "3713002026000011"
    assert record["技术交易额（元）"] == 850000 and record["非技术性费用（元）"] == 150000
    client.force_login(seller_user)
    assert client.get("/contracts/registered.xlsx").status_code == 403


def _sheet(rows):
    spec = get_spec("contracts")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = spec.title
    headers = [c.header for c in spec.columns]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("contracts.xlsx", out.getvalue())


def _row(key, **over):
    row = {
        "外部编号": key,
        "合同名称": f"秸秆综合利用技术服务{key}",
        "合同类型": "技术服务",
        "签订日期": "2025-06-01",
        "合同成交额（元）": 200000,
        "非技术性费用": "检测耗材:20000",
        "支付方式": "一次性",
        "卖方名称": "临沂测试农科院",
        "卖方统一社会信用代码": make_uscc("12371302000000011"),
        "卖方主体类型": "科研院所",
        "卖方所在地区": "371302",
        "买方名称": "兰陵测试农业公司",
        "买方统一社会信用代码": make_uscc("91371324000000022"),
        "买方主体类型": "企业",
        "买方所在地区": "371324",
    }
    row.update(over)
    return row


def test_import_all_or_nothing_then_registered_rows_by_the_office(operator):
    spec = get_spec("contracts")
    owner = operator.memberships.get().organization
    bad = _sheet([_row("HT-1"), _row("HT-2", **{"非技术性费用": "设备:300000"})])
    result = import_services.import_commit(spec, bad, acting_user=operator, owner=owner)
    assert not result.ok
    assert any("超过合同成交额" in e.problem for e in result.errors), [
        (e.row, e.column, e.problem) for e in result.errors
    ]
    assert TechContract.objects.count() == 0
    good = _sheet([_row("HT-1"), _row("HT-2", **{"登记编号": "3713002025000100", "登记日期": "2025-06-20"})])
    result = import_services.import_commit(spec, good, acting_user=operator, owner=owner)
    assert result.ok and result.created == 2, result.errors
    registered = TechContract.objects.get(external_key="HT-2")
    assert registered.status == TechContract.Status.REGISTERED
    assert registered.technical_amount == Decimal("180000.00") and registered.registered_on == datetime.date(
        2025, 6, 20
    )
    again = import_services.import_commit(spec, good, acting_user=operator, owner=owner)
    assert (again.created, again.updated) == (0, 2)


def test_parties_cannot_import_registered_contracts(seller_user, university):
    spec = get_spec("contracts")
    f = _sheet([_row("HT-9", **{"登记编号": "X-9", "登记日期": "2025-06-20"})])
    result = import_services.import_commit(spec, f, acting_user=seller_user, owner=university)
    assert not result.ok and any("只有登记机构" in e.problem for e in result.errors)


def test_list_page_queries_do_not_grow_with_the_contracts(
    client, university, enterprise, seller_user, django_assert_max_num_queries
):
    from .conftest import make_contract

    for n in range(8):
        make_contract(seller=university, buyer=enterprise, acting_user=seller_user, title=f"合同{n}")
    client.force_login(seller_user)
    with django_assert_max_num_queries(10):
        page = client.get("/contracts/")
    assert page.content.decode().count("/contracts/") >= 8


def test_detail_page_shows_a_dash_for_a_party_without_a_region(contract, client, buyer_user):
    """A party typed in from a contract (no platform organisation) may have no region: the page says —."""
    contract.parties.filter(role="buyer").update(region=None)
    client.force_login(buyer_user)
    response = client.get(f"/contracts/{contract.pk}/")
    assert response.status_code == 200
    assert "<td>—</td>" in response.content.decode()
