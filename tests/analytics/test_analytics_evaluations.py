"""绩效评价: scores against the best subject of the period, weights, ties, explanations, who may see them."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from factories import OrganizationFactory, UserFactory, make_bureau

from techmarket.achievements.models import Achievement
from techmarket.analytics import evaluations
from techmarket.analytics.models import EvaluationItem, EvaluationScheme
from techmarket.analytics.periods import Month, Period
from techmarket.catalog.models import ListingStatus
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(Month(2026, 3), Month(2026, 3))


def _university(name):
    return OrganizationFactory(name=name, kind=Organization.Kind.UNIVERSITY)


def _achievements(owner, n, status=ListingStatus.PUBLISHED, day=10):
    for i in range(n):
        Achievement.objects.create(
            owner=owner,
            title=f"{owner.name}成果{i}",
            summary="s",
            status=status,
            published_at=datetime.datetime(2026, 3, day, tzinfo=SH),
        )


@pytest.fixture
def scheme():
    scheme = EvaluationScheme.objects.create(name="测试方案", subject="research")
    EvaluationItem.objects.create(scheme=scheme, metric="achievements.published_by_org", weight=Decimal(3))
    EvaluationItem.objects.create(scheme=scheme, metric="achievements.taken_up_by_org", weight=Decimal(1))
    return scheme


def test_scores_are_weighted_shares_of_the_best_and_explained(scheme):
    a, b, c = _university("临沂大学"), _university("山东农业工程学院"), _university("临沂职业学院")
    _achievements(a, 4)  # best on publishing, nothing taken up
    _achievements(b, 2)
    _achievements(b, 1, status=ListingStatus.IN_PROGRESS)  # 3 published, 1 taken up (the best)
    _achievements(c, 1, day=2)
    OrganizationFactory(name="某企业")  # not a research institution: not evaluated
    _achievements(_university("往年大学"), 5, day=1)  # published outside March below
    Achievement.objects.unscoped().filter(owner__name="往年大学").update(
        published_at=datetime.datetime(2025, 3, 1, tzinfo=SH)
    )
    rows = evaluations.evaluate(scheme, MARCH)
    by_name = {r["name"]: r for r in rows}
    assert "某企业" not in by_name
    # a: publishing 4/4 → 100, taken up 0 → 0: (100×3 + 0×1) / 4 = 75
    assert by_name["临沂大学"]["score"] == Decimal("75.0")
    # b: publishing 3/4 → 75, taken up 1/1 → 100: (75×3 + 100) / 4 = 81.25
    assert by_name["山东农业工程学院"]["score"] == Decimal("81.3")
    assert [r["name"] for r in rows[:3]] == ["山东农业工程学院", "临沂大学", "临沂职业学院"]
    assert rows[0]["rank"] == 1 and by_name["往年大学"]["score"] == 0
    part = by_name["山东农业工程学院"]["parts"][0]
    assert (part["value"], part["best"], part["score"], part["weight"], part["contribution"]) == (
        Decimal(3),
        Decimal(4),
        Decimal("75.0"),
        Decimal(3),
        Decimal("56.3"),
    )


def test_equal_scores_share_a_rank(scheme):
    _achievements(_university("甲大学"), 2)
    _achievements(_university("乙大学"), 2)
    rows = evaluations.evaluate(scheme, MARCH)
    assert [r["rank"] for r in rows] == [1, 1]


def test_default_schemes_name_registered_metrics_only():
    schemes = EvaluationScheme.objects.prefetch_related("items")
    assert schemes.count() >= 3
    for scheme in schemes:
        assert evaluations.subject(scheme.subject) is not None
        for item in scheme.items.all():
            assert evaluations.metric(item.metric) is not None, item.metric


def test_pages_and_api_for_the_bureau_only(client, scheme):
    _achievements(_university("临沂大学"), 2)
    client.force_login(UserFactory())
    assert client.get("/analytics/evaluations/").status_code == 403
    assert client.get(f"/api/statistics/evaluations/{scheme.pk}").status_code == 403
    client.force_login(make_bureau())
    html = client.get(
        f"/analytics/evaluations/?scheme={scheme.pk}&start=2026-03&end=2026-03"
    ).content.decode()
    assert "临沂大学" in html and "发布科技成果" in html
    body = client.get(f"/api/statistics/evaluations/{scheme.pk}?start=2026-03&end=2026-03").json()
    # published 2/2 → 100 × 3, nobody had one taken up → 0 × 1: 75
    assert body["rows"][0]["name"] == "临沂大学" and body["rows"][0]["score"] == "75.0"
    xlsx = client.get(f"/analytics/evaluations/?scheme={scheme.pk}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
