"""Broker performance against a hand-built history: stage counts, conversion, median days per stage."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from engagement_items import make_engagement
from factories import make_broker

from techmarket.engagements.models import Stage, StageEntry
from techmarket.engagements.performance import PerformanceParams, broker_performance

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def history(engagement, *stays):
    """stays: (stage, days) in order; the last one open unless closed."""
    at = T0
    for i, (stage, days) in enumerate(stays):
        last = i == len(stays) - 1
        left = None if last and stage not in (Stage.DEAL, Stage.TERMINATED) else at + timedelta(days=days)
        StageEntry.objects.create(engagement=engagement, stage=stage, entered_at=at, left_at=left)
        at = at + timedelta(days=days)
    engagement.stage = stays[-1][0]
    engagement.save(update_fields=["stage"])


def test_conversion_and_median_days_per_broker(parties):
    a, b = parties["broker"], make_broker()
    d, s = parties["demand"], parties["supply"]
    e1, e2, e3, e4 = (make_engagement(demand=d, supply=s, broker=x) for x in (a, a, a, b))
    history(e1, (Stage.DISCOVERY, 10), (Stage.VERIFICATION, 20), (Stage.DEAL, 0))
    history(e2, (Stage.DISCOVERY, 30), (Stage.TERMINATED, 0))
    history(e3, (Stage.DISCOVERY, 20), (Stage.VERIFICATION, 40), (Stage.PILOT, 5))
    history(e4, (Stage.DISCOVERY, 4))
    report = broker_performance(PerformanceParams())
    total = report["total"]
    assert (
        total["total"] == 4 and total["deals"] == 1 and total["terminated"] == 1 and total["deal_pct"] == 25
    )
    first, second = total["conversion"][0], total["conversion"][1]
    assert (first["n"], first["m"], first["pct"]) == (4, 2, 50)  # discovery → verification: e1, e3
    assert (second["n"], second["m"], second["pct"]) == (2, 1, 50)  # verification → pilot: e3
    assert total["median_days"][Stage.DISCOVERY] == 20.0  # 10, 30, 20 (e4 still there)
    assert total["median_days"][Stage.VERIFICATION] == 30.0  # 20, 40
    rows = {r["broker"].pk: r for r in report["rows"]}
    assert (
        rows[a.pk]["total"] == 3 and rows[b.pk]["total"] == 1 and rows[b.pk]["by_stage"][Stage.DISCOVERY] == 1
    )
    mine = broker_performance(PerformanceParams(), only_broker=b)
    assert mine["total"]["total"] == 1


def test_other_apps_add_columns_summed_per_broker(parties, monkeypatch):
    e = make_engagement(demand=parties["demand"], supply=parties["supply"], broker=parties["broker"])
    history(e, (Stage.DISCOVERY, 3))
    monkeypatch.setattr(
        "techmarket.engagements.performance.EXTRA_COLUMNS",
        [("合同数", lambda ids: {ids[0]: 2})],  # alone: the contracts app registers its own columns
    )
    report = broker_performance(PerformanceParams())
    assert (
        report["extra_labels"] == ["合同数"]
        and report["rows"][0]["extra"] == [2]
        and report["total"]["extra"] == [2]
    )


def test_the_organisation_filter_is_a_list_of_party_names_not_an_id_box(engagement, parties, operator):
    from django.test import Client
    from django.urls import reverse

    c = Client()
    c.force_login(operator)
    demand = parties["demand"]
    page = c.get(reverse("engagements:performance"), {"organization": demand.pk}).content.decode()
    assert "机构编号" not in page
    assert f'<option value="{demand.pk}" selected>{demand.name}</option>' in page
