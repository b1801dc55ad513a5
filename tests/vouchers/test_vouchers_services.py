"""Issuing, spending, claiming and settling vouchers: the rules, the messages, the audit trail."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from factories import OrganizationFactory
from voucher_helpers import accepted_booking, facility

from techmarket.audit.models import AuditLog
from techmarket.facilities.models import Facility
from techmarket.orgs.models import Organization
from techmarket.vouchers import services
from techmarket.vouchers.models import Category, Voucher, VoucherUse
from techmarket.workflow.engine import StaleTransition

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def test_spending_lowers_the_balance_and_records_who_spent_on_which_booking(voucher, booking, ent_user):
    use = services.voucher_spend(voucher=voucher, booking=booking, amount="12000.50", acting_user=ent_user)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("37999.50")
    assert voucher.state == Voucher.State.PARTLY_SPENT
    assert use.provider_id == booking.facility.owner_id and use.status == VoucherUse.Status.SPENT
    log = AuditLog.objects.get(action="vouchers.use.spend", target_id=str(use.pk))
    assert log.before["balance"] == "50000.00" and log.after["balance"] == "37999.50"


def test_spending_beyond_the_balance_is_refused_with_the_balance_named_and_nothing_saved(
    voucher, booking, ent_user
):
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="50000.01", acting_user=ent_user)
    assert "超过余额 50,000.00 元（5 万元）" in _message(exc)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("50000.00")
    assert not VoucherUse.objects.unscoped().exists()


def test_the_amounts_in_the_message_read_as_on_the_pages_in_both_languages(voucher, booking, ent_user):
    """Grouped by thousands with the 万元 reading, as the money filter shows them, never "50000.01 元"."""
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="50000.01", acting_user=ent_user)
    assert _message(exc) == "抵扣金额 50,000.01 元（5 万元）超过余额 50,000.00 元（5 万元），请改小金额。"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="50000.01", acting_user=ent_user)
    assert (
        _message(exc) == "The amount of CNY 50,000.01 exceeds the balance of CNY 50,000.00; please reduce it."
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100", "必须大于 0 元"),
        ("0", "必须大于 0 元"),
        ("12.345", "最多保留两位小数"),
        ("一万", "必须是数字"),
        ("NaN", "必须是数字"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(voucher, booking, ent_user, amount, message):
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount=amount, acting_user=ent_user)
    assert message in _message(exc)
    assert not VoucherUse.objects.unscoped().exists()


def test_the_whole_balance_may_be_spent_and_then_nothing_more(
    voucher, booking, ent_user, centre, enterprise, uni_admin
):
    services.voucher_spend(voucher=voucher, booking=booking, amount="50000", acting_user=ent_user)
    voucher.refresh_from_db()
    assert voucher.balance == 0 and voucher.state == Voucher.State.SPENT
    second = accepted_booking(centre, ent_user, enterprise, uni_admin, service="样机试制")
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=second, amount="0.01", acting_user=ent_user)
    assert "超过余额 0.00 元" in _message(exc)


def test_a_category_the_voucher_may_not_buy_is_refused_naming_what_it_may_buy(
    voucher, university, uni_admin, ent_user, enterprise
):
    instrument = facility(university, uni_admin, kind=Facility.Kind.INSTRUMENT, name="X 射线衍射仪（共享）")
    from techmarket.facilities import services as fs

    start = timezone.now() + timedelta(days=2)
    b = fs.booking_open(
        facility=instrument, acting_user=ent_user, organization=enterprise, service="机时",
        starts_at=start, ends_at=start + timedelta(hours=2),
    )  # fmt: skip
    b = fs.booking_quote(
        booking=b,
        acting_user=uni_admin,
        price=Decimal("600"),
        delivery_date=timezone.localdate() + timedelta(days=5),
    )
    b = fs.booking_move(booking=b, action="accept", acting_user=ent_user)
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=b, amount="100", acting_user=ent_user)
    assert "只能购买：概念验证服务、中试熟化服务" in _message(exc) and "共享仪器" in _message(exc)


def test_another_enterprises_booking_and_an_unaccepted_booking_are_refused(
    voucher, centre, ent_user, enterprise, uni_admin
):
    from factories import MembershipFactory, UserFactory

    from techmarket.facilities import services as fs

    other = OrganizationFactory(name="临沂另一家科技有限公司")
    other_user = UserFactory()
    MembershipFactory(user=other_user, organization=other)
    foreign = accepted_booking(centre, other_user, other, uni_admin)
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=foreign, amount="100", acting_user=ent_user)
    assert "只能用于本企业的服务预约" in _message(exc)
    pending = fs.booking_open(facility=centre, acting_user=ent_user, organization=enterprise, service="中试")
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=pending, amount="100", acting_user=ent_user)
    assert "只有已接受报价的预约可以用券" in _message(exc)


def test_only_the_holders_members_may_spend(voucher, booking, stranger, officer, operator):
    for user in (stranger, officer, operator):
        with pytest.raises(PermissionDenied):
            services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=user)


def test_the_same_booking_is_paid_once_per_voucher(voucher, booking, ent_user):
    services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    assert "已经用这张创新券抵扣过了" in _message(exc)


def _freeze(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_expiry_is_the_end_of_the_last_day_in_beijing_time(
    monkeypatch, batch, officer, enterprise, booking, ent_user
):
    voucher = services.voucher_issue(
        acting_user=officer, batch=batch, holder=enterprise, amount="1000",
        valid_until=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    last = voucher.valid_until
    # 23:59:59 Beijing time on the last day is 15:59:59 UTC: still valid.
    _freeze(monkeypatch, datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=SHANGHAI))
    services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    # 00:00 Beijing time the next day is still the last day in UTC (16:00): refused all the same.
    next_day = last + timedelta(days=1)
    _freeze(monkeypatch, datetime(next_day.year, next_day.month, next_day.day, 0, 0, tzinfo=SHANGHAI))
    assert timezone.now().astimezone(ZoneInfo("UTC")).date() == last
    from voucher_helpers import accepted_booking as again

    second = again(
        booking.facility, ent_user, enterprise, booking.facility.owner.memberships.first().user, "中试"
    )
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=second, amount="100", acting_user=ent_user)
    assert f"已于 {last.isoformat()} 到期" in _message(exc)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("900.00")


def test_a_voucher_is_not_spendable_before_it_starts(batch, officer, enterprise, booking, ent_user):
    start = timezone.localdate() + timedelta(days=5)
    voucher = services.voucher_issue(
        acting_user=officer, batch=batch, holder=enterprise, amount="1000", valid_from=start
    )
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    assert f"自 {start.isoformat()} 起才能使用" in _message(exc)


def test_a_revoked_voucher_cannot_be_spent(voucher, officer, booking, ent_user):
    services.voucher_revoke(voucher=voucher, acting_user=officer, reason="企业已注销")
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    assert "已作废" in _message(exc)


def test_issuing_never_exceeds_the_batch_budget(batch, officer, enterprise):
    services.voucher_issue(acting_user=officer, batch=batch, holder=enterprise, amount="150000")
    with pytest.raises(ValidationError) as exc:
        services.voucher_issue(acting_user=officer, batch=batch, holder=enterprise, amount="50000.01")
    assert "剩余 50,000.00 元（5 万元）" in _message(exc)
    assert Voucher.objects.unscoped().filter(batch=batch).count() == 1


def test_issuing_checks_holder_categories_dates_and_who_issues(
    batch, officer, university, enterprise, operator
):
    with pytest.raises(ValidationError) as exc:
        services.voucher_issue(acting_user=officer, batch=batch, holder=university, amount="100")
    assert "只能发给已审核通过的企业" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.voucher_issue(
            acting_user=officer,
            batch=batch,
            holder=enterprise,
            amount="100",
            categories=[Category.INSTRUMENT],
        )
    assert "须在本批次允许的范围内" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.voucher_issue(
            acting_user=officer, batch=batch, holder=enterprise, amount="100",
            valid_until=batch.valid_until + timedelta(days=1),
        )  # fmt: skip
    assert "须在本批次的有效期内" in _message(exc)
    with pytest.raises(PermissionDenied):
        services.voucher_issue(acting_user=operator, batch=batch, holder=enterprise, amount="100")
    assert not Voucher.objects.unscoped().exists()


def test_a_batch_needs_a_name_a_budget_categories_and_ordered_dates(officer, bureau_org):
    with pytest.raises(ValidationError) as exc:
        services.batch_create(
            acting_user=officer, issuer=bureau_org, name="2026 年批次", budget="-1", categories=["pilot"],
            valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31),
        )  # fmt: skip
    assert "总预算必须大于 0 元" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.batch_create(
            acting_user=officer, issuer=bureau_org, name="2026 年批次", budget="100", categories=[],
            valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31),
        )  # fmt: skip
    assert "请至少选择一类" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.batch_create(
            acting_user=officer, issuer=bureau_org, name="2026 年批次", budget="100", categories=["pilot"],
            valid_from=date(2026, 12, 31), valid_until=date(2026, 1, 1),
        )  # fmt: skip
    assert "不能早于起始日期" in _message(exc)
    with pytest.raises(PermissionDenied):
        services.batch_create(
            acting_user=officer, issuer=OrganizationFactory(kind=Organization.Kind.GOVERNMENT),
            name="2026 年批次", budget="100", categories=["pilot"],
            valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31),
        )  # fmt: skip


def test_the_database_refuses_a_negative_balance(voucher):
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.unscoped().filter(pk=voucher.pk).update(balance=Decimal("-0.01"))


def test_claim_then_settle_each_step_audited_by_the_right_party(
    voucher, booking, ent_user, uni_admin, officer, stranger
):
    use = services.voucher_spend(voucher=voucher, booking=booking, amount="10000", acting_user=ent_user)
    with pytest.raises(PermissionDenied):
        services.use_move(use=use, action="claim", acting_user=ent_user, reason="服务已完成")
    with pytest.raises(ValidationError) as exc:
        services.use_move(use=use, action="claim", acting_user=uni_admin, reason="")
    assert "须写明服务完成情况" in _message(exc)
    use = services.use_move(use=use, action="claim", acting_user=uni_admin, reason="报告 BG-001，发票 0001")
    assert use.status == VoucherUse.Status.CLAIMED and use.evidence == "报告 BG-001，发票 0001"
    assert use.due_at is not None
    for user in (uni_admin, ent_user, stranger):
        with pytest.raises(PermissionDenied):
            services.use_move(use=use, action="settle", acting_user=user)
    use = services.use_move(use=use, action="settle", acting_user=officer, reason="已拨付")
    assert use.status == VoucherUse.Status.SETTLED and use.settled_by == officer and use.due_at is None
    actions = list(
        AuditLog.objects.filter(target_id=str(use.pk), action__startswith="vouchers.use.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["vouchers.use.spend", "vouchers.use.claim", "vouchers.use.settle"]


def test_a_stale_settle_is_refused(voucher, booking, ent_user, uni_admin, officer):
    use = services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    use = services.use_move(use=use, action="claim", acting_user=uni_admin, reason="报告 BG-002")
    services.use_move(use=use, action="send_back", acting_user=officer, reason="请补充发票")
    with pytest.raises(StaleTransition):
        services.use_move(use=use, action="settle", acting_user=officer, expected_state="claimed")


def test_cancelling_an_unclaimed_use_gives_the_amount_back(voucher, booking, ent_user, uni_admin):
    use = services.voucher_spend(voucher=voucher, booking=booking, amount="20000", acting_user=ent_user)
    services.use_move(use=use, action="cancel", acting_user=ent_user)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("50000.00")
    # …and the booking may be paid again.
    again = services.voucher_spend(voucher=voucher, booking=booking, amount="100", acting_user=ent_user)
    with pytest.raises(ValidationError):  # a claimed use is no longer the holder's to cancel
        services.use_move(
            use=services.use_move(use=again, action="claim", acting_user=uni_admin, reason="报告 BG-003"),
            action="cancel",
            acting_user=ent_user,
        )


def test_a_booking_is_paid_at_most_up_to_its_quote_across_vouchers(
    voucher, batch, centre, ent_user, enterprise, uni_admin, officer
):
    cheap = accepted_booking(centre, ent_user, enterprise, uni_admin, service="样机试制", price="3000")
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=voucher, booking=cheap, amount="3000.01", acting_user=ent_user)
    assert "超过这笔预约尚可抵扣的 3,000.00 元（报价 3,000.00 元）" in _message(exc)
    services.voucher_spend(voucher=voucher, booking=cheap, amount="2000", acting_user=ent_user)
    second = services.voucher_issue(acting_user=officer, batch=batch, holder=enterprise, amount="5000")
    with pytest.raises(ValidationError) as exc:
        services.voucher_spend(voucher=second, booking=cheap, amount="1500", acting_user=ent_user)
    assert "尚可抵扣的 1,000.00 元" in _message(exc)
    services.voucher_spend(voucher=second, booking=cheap, amount="1000", acting_user=ent_user)
    assert VoucherUse.objects.unscoped().filter(booking=cheap).count() == 2
