"""Concurrent spending on PostgreSQL: the voucher row lock serialises the spends, so no double spend."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin
from voucher_helpers import accepted_booking, facility

from techmarket.orgs.models import Organization, Role
from techmarket.vouchers import services
from techmarket.vouchers.models import Category, Voucher, VoucherUse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Earlier transactional tests flush the database, migration data included: load the regions again."""
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_spends_never_overdraw_a_voucher():
    from datetime import timedelta

    bureau = OrganizationFactory(kind=Organization.Kind.GOVERNMENT)
    officer = UserFactory()
    MembershipFactory(user=officer, organization=bureau, role=Role.BUREAU)
    enterprise = OrganizationFactory()
    ent_user = UserFactory()
    MembershipFactory(user=ent_user, organization=enterprise, role=Role.MEMBER)
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    admin = make_org_admin(university)
    centre = facility(university, admin)
    bookings = [accepted_booking(centre, ent_user, enterprise, admin, f"服务 {i}") for i in range(6)]
    today = timezone.localdate()
    batch = services.batch_create(
        acting_user=officer, issuer=bureau, name="并发测试批次", budget="100000",
        categories=[Category.VERIFICATION], valid_from=today, valid_until=today + timedelta(days=30),
    )  # fmt: skip
    voucher = services.voucher_issue(acting_user=officer, batch=batch, holder=enterprise, amount="50000")
    start = threading.Barrier(len(bookings))
    results: list[str] = []
    lock = threading.Lock()

    def spend(booking):
        try:
            start.wait(5)
            services.voucher_spend(
                voucher=Voucher.objects.unscoped().get(pk=voucher.pk),
                booking=booking,
                amount="20000",
                acting_user=ent_user,
            )
            outcome = "ok"
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=spend, args=(b,)) for b in bookings]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == len(bookings)
    assert results.count("ok") == 2, results
    refused = [r for r in results if r != "ok"]
    assert all("超过余额" in r for r in refused), refused
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("10000.00")
    spent = sum(u.amount for u in VoucherUse.objects.unscoped().filter(voucher=voucher))
    assert spent == Decimal("40000.00") and voucher.amount - voucher.balance == spent
