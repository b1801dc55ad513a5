"""The demo builder: vouchers in each state, uses claimed and settled, funds with preferences and interests —
made through the services, so balances add up."""

from decimal import Decimal

import pytest

from techmarket.demo import generator
from techmarket.demo.builders import achievements as demo_achievements
from techmarket.demo.builders import experts as demo_experts
from techmarket.demo.builders import needs as demo_needs
from techmarket.investors.models import Fund, Interest
from techmarket.vouchers.models import Voucher, VoucherUse

pytestmark = pytest.mark.django_db


def test_demo_vouchers_and_funds_are_coherent(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(demo_needs, "NEEDS_PER_RUN", 10)
    monkeypatch.setattr(demo_achievements, "ACHIEVEMENTS_PER_RUN", 10)
    monkeypatch.setattr(demo_experts, "EXPERTS_PER_RUN", 10)
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    generator.generate(seed=generator.DEFAULT_SEED)

    vouchers = list(Voucher.objects.unscoped().prefetch_related("uses"))
    states = {v.state for v in vouchers}
    assert {Voucher.State.ISSUED, Voucher.State.PARTLY_SPENT, Voucher.State.EXPIRED} <= states
    uses = set(VoucherUse.objects.unscoped().values_list("status", flat=True))
    assert {VoucherUse.Status.SPENT, VoucherUse.Status.CLAIMED, VoucherUse.Status.SETTLED} <= uses
    for v in vouchers:
        live = sum((u.amount for u in v.uses.all() if u.status != VoucherUse.Status.CANCELLED), Decimal("0"))
        assert v.amount - v.balance == live, v.code
    funds = list(Fund.objects.prefetch_related("industries"))
    assert 3 <= len(funds) <= 4 and all(f.stages and f.industries.all() for f in funds)
    statuses = set(Interest.objects.unscoped().values_list("status", flat=True))
    assert {Interest.Status.OPEN, Interest.Status.ENGAGED} <= statuses
    engaged = Interest.objects.unscoped().filter(status=Interest.Status.ENGAGED)
    assert all(i.engagement_id and i.match_reasons for i in engaged)
