"""Pages, API, export and figures of vouchers: who sees which vouchers and uses, forms that say what is wrong."""

import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from factories import make_operator
from openpyxl import load_workbook

from techmarket.vouchers import services
from techmarket.vouchers.models import Voucher, VoucherUse

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def use(voucher, booking, ent_user):
    return services.voucher_spend(voucher=voucher, booking=booking, amount="8000", acting_user=ent_user)


def test_holder_sees_its_voucher_strangers_and_providers_do_not(
    voucher, use, ent_user, uni_admin, stranger, officer
):
    assert _client(ent_user).get(f"/vouchers/{voucher.pk}/").status_code == 200
    assert _client(officer).get(f"/vouchers/{voucher.pk}/").status_code == 200
    for user in (stranger, uni_admin):  # the provider sees the use, not the voucher
        assert _client(user).get(f"/vouchers/{voucher.pk}/").status_code == 404
    assert voucher.code in _client(ent_user).get("/vouchers/").content.decode()
    assert voucher.code not in _client(stranger).get("/vouchers/").content.decode()


def test_the_bare_search_box_of_the_list_says_what_it_searches(ent_user):
    html = _client(ent_user).get("/vouchers/").content.decode()
    assert 'placeholder="券号、持券企业或批次名称"' in html and 'aria-label="状态"' in html


def test_uses_are_seen_by_holder_provider_and_bureau_only(use, ent_user, uni_admin, stranger, officer):
    for user in (ent_user, uni_admin, officer, make_operator()):
        assert _client(user).get(f"/vouchers/uses/{use.pk}/").status_code == 200
    assert _client(stranger).get(f"/vouchers/uses/{use.pk}/").status_code == 404
    assert _client(stranger).get("/vouchers/uses/").content.decode().count(use.voucher.code) == 0


def test_the_provider_claims_on_the_page_and_the_bureau_settles(use, uni_admin, officer, ent_user):
    page = _client(uni_admin).get(f"/vouchers/uses/{use.pk}/").content.decode()
    assert "申请兑付" in page and "结算</button>" not in page
    r = _client(uni_admin).post(
        f"/vouchers/uses/{use.pk}/do/claim/", {"reason": "报告 BG-9", "expected_state": "spent"}
    )
    assert r.status_code == 302
    # The holder may not settle by posting the form by hand.
    _client(ent_user).post(f"/vouchers/uses/{use.pk}/do/settle/", {"expected_state": "claimed"})
    use.refresh_from_db()
    assert use.status == VoucherUse.Status.CLAIMED
    _client(officer).post(f"/vouchers/uses/{use.pk}/do/settle/", {"expected_state": "claimed"})
    use.refresh_from_db()
    assert use.status == VoucherUse.Status.SETTLED


def test_spending_over_the_balance_on_the_page_shows_the_message_and_saves_nothing(
    voucher, booking, ent_user
):
    r = _client(ent_user).post(f"/vouchers/{voucher.pk}/spend/", {"booking": booking.pk, "amount": "60000"})
    assert r.status_code == 422
    assert "超过余额 50,000.00 元（5 万元）" in r.content.decode()
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("50000.00")


def test_bureau_issues_on_the_batch_page_and_bad_input_is_explained(batch, officer, enterprise, ent_user):
    c = _client(officer)
    r = c.post(f"/vouchers/batches/{batch.pk}/", {"holder": enterprise.pk, "amount": "-5"})
    assert r.status_code == 422 and "面额必须大于 0 元" in r.content.decode()
    r = c.post(f"/vouchers/batches/{batch.pk}/", {"holder": enterprise.pk, "amount": "30000"})
    assert r.status_code == 302
    assert Voucher.objects.unscoped().get(holder=enterprise).amount == Decimal("30000.00")
    assert _client(ent_user).get(f"/vouchers/batches/{batch.pk}/").status_code == 404


def test_export_is_for_the_bureau_and_lists_each_voucher_with_its_amounts(
    voucher, use, officer, ent_user, uni_admin
):
    services.use_move(use=use, action="claim", acting_user=uni_admin, reason="报告 BG-1")
    assert _client(ent_user).get("/vouchers/export.xlsx").status_code == 403
    r = _client(officer).get("/vouchers/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    values = dict(zip(header, row, strict=True))
    assert values["券号"] == voucher.code and values["余额（元）"] == 42000
    assert values["已申请兑付（元）"] == 8000 and values["已结算（元）"] == 0 and values["状态"] == "部分使用"


def test_api_lists_with_the_same_selector_and_refuses_overspending(
    voucher, booking, ent_user, stranger, officer
):
    c = _client(ent_user)
    body = json.loads(c.get("/api/vouchers").content)
    assert [v["code"] for v in body["items"]] == [voucher.code]
    assert json.loads(_client(stranger).get("/api/vouchers").content)["items"] == []
    r = c.post(
        f"/api/vouchers/{voucher.pk}/spend",
        data={"booking_id": booking.pk, "amount": "50000.01"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "超过余额" in r.content.decode()
    r = c.post(
        f"/api/vouchers/{voucher.pk}/spend",
        data={"booking_id": booking.pk, "amount": "1000"},
        content_type="application/json",
    )
    assert r.status_code == 201
    figures = json.loads(_client(officer).get("/api/vouchers/figures").content)
    assert Decimal(figures["spent"]) == Decimal("1000") and figures["by_state"]["partly_spent"] == 1
    assert _client(ent_user).get("/api/vouchers/figures").status_code == 403


def test_indicators_count_issued_spent_claimed_and_settled(voucher, use, uni_admin, officer):
    from techmarket.analytics.indicators import get

    services.use_move(use=use, action="claim", acting_user=uni_admin, reason="报告 BG-2")
    services.use_move(use=use, action="settle", acting_user=officer)
    assert get("vouchers.issued").queryset().count() == 1
    for key in ("vouchers.spent_amount", "vouchers.claimed_amount", "vouchers.settled_amount"):
        total = sum(u.amount for u in get(key).queryset())
        assert total == Decimal("8000.00"), key
