"""揭榜挂帅 on the bureau's dashboard: published lists, funding in 万元, applications; drafts never count."""

from decimal import Decimal

import pytest
from challenge_helpers import apply, challenge_data
from django.utils import timezone

from techmarket.analytics import compute, indicators
from techmarket.analytics.compute import Filters
from techmarket.analytics.periods import Month, Period
from techmarket.challenges import services

pytestmark = pytest.mark.django_db


def test_published_challenges_funding_and_applications_this_month(world):
    services.challenge_create(
        owner=world.enterprise,
        acting_user=world.enterprise_admin,
        **challenge_data(title="草稿榜单不计入统计"),
    )
    apply(world, team="a")
    apply(world, team="b")
    month = Month.of(timezone.localtime(timezone.now()).date())
    now = Filters(period=Period(month, month))
    assert compute.total(indicators.get("challenges.published"), now) == 1
    assert compute.total(indicators.get("challenges.funding"), now) == Decimal("200.00")
    assert compute.total(indicators.get("challenges.applications"), now) == 2
    assert compute.total(indicators.get("challenges.awarded"), now) == 0
    elsewhere = Filters(period=now.period, region="110000")
    assert compute.total(indicators.get("challenges.published"), elsewhere) == 0
