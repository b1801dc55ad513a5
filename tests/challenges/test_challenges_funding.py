"""Funding tranches: released on milestone acceptance, paid out as recorded payments that never exceed
the milestone's tranche nor the source's share of the funding."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from challenge_helpers import apply, login, reload
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from test_challenges_lifecycle import score_all

from techmarket.audit.models import AuditLog
from techmarket.challenges import funding, panels, services
from techmarket.challenges.models import Milestone, Payment


@pytest.fixture
def awarded(world, settings):
    """Team a awarded; milestones of 600000 and 600000 元; shares 1500000 (enterprise) + 500000 (government)."""
    w = world
    settings.CHALLENGE_PUBLICITY_WORKING_DAYS = 0
    a = apply(w, team="a")
    services.challenge_move(challenge=w.challenge, action="start_review", acting_user=w.operator)
    panel = services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    score_all(panel, a, w.reviewer_users[:3], [(90, 90, 90)] * 3)
    panels.panel_close(panel=panel, acting_user=w.operator)
    services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="第一"
    )
    services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    w.application = a
    w.milestones = list(Milestone.objects.filter(application=a).order_by("order"))
    return w


def accept(w, m):
    services.milestone_move(milestone=m, action="submit", acting_user=w.team_a_user, note="完成")
    services.milestone_move(
        milestone=reload(m), action="accept", acting_user=w.enterprise_admin, reason="达标"
    )
    return reload(m)


def pay(w, m, amount, source="enterprise", user=None, paid_on=None):
    return funding.payment_record(
        milestone=m,
        acting_user=user or w.operator,
        amount=amount,
        paid_on=paid_on or date.today(),
        source=source,
    )


def test_a_tranche_is_paid_only_after_its_milestone_is_accepted(awarded):
    w = awarded
    m1 = w.milestones[0]
    with pytest.raises(ValidationError) as exc:
        pay(w, m1, "100000")
    assert "验收通过后" in str(exc.value)
    m1 = accept(w, m1)
    payment = pay(w, m1, "400000")
    assert payment.amount == Decimal("400000") and payment.source == "enterprise"
    assert AuditLog.objects.filter(action="challenges.payment.record", actor=w.operator).count() == 1
    summary = funding.funding_summary(reload(w.challenge))
    assert summary.released == Decimal("600000") and summary.paid == Decimal("400000")


def test_payments_never_exceed_the_tranche_nor_the_sources_share(awarded):
    w = awarded
    m1, m2 = accept(w, w.milestones[0]), accept(w, w.milestones[1])
    pay(w, m1, "400000")
    with pytest.raises(ValidationError) as exc:  # 600000 tranche, 200000 left
        pay(w, m1, "300000", source="government")
    assert "尚可拨付 200,000.00 元（20 万元）" in str(exc.value)
    pay(w, m1, "200000", source="government")
    pay(w, m2, "300000", source="government")  # government share 500000 now used up
    with pytest.raises(ValidationError) as exc:
        pay(w, m2, "1", source="government")
    assert "超出财政支持总额" in str(exc.value) and "尚可拨付 0.00 元" in str(exc.value)
    assert Payment.objects.count() == 3
    summary = funding.funding_summary(reload(w.challenge))
    assert summary.paid == Decimal("900000")
    assert summary.by_source == [
        ("企业出资", Decimal("1500000"), Decimal("400000")),
        ("财政支持", Decimal("500000"), Decimal("500000")),
    ]


def test_bad_payments_are_refused_with_a_clear_message_and_nothing_saved(awarded):
    w = awarded
    m1 = accept(w, w.milestones[0])
    for amount, message in (("0", "大于 0"), ("-5", "大于 0"), ("abc", "数字"), ("1.234", "两位小数")):
        with pytest.raises(ValidationError) as exc:
            pay(w, m1, amount)
        assert message in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        pay(w, m1, "100", paid_on=date.today() + timedelta(days=2))
    assert "不能晚于今天" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        pay(w, m1, "100", paid_on=date.today() - timedelta(days=30))
    assert "不能早于里程碑验收通过" in str(exc.value)
    with pytest.raises(ValidationError):
        pay(w, m1, "100", source="bank")
    assert not Payment.objects.exists()


def test_the_enterprise_records_its_own_share_only(awarded):
    w = awarded
    m1 = accept(w, w.milestones[0])
    pay(w, m1, "100000", user=w.enterprise_admin)
    with pytest.raises(PermissionDenied):
        pay(w, m1, "100000", source="government", user=w.enterprise_admin)
    with pytest.raises(PermissionDenied):
        pay(w, m1, "100000", user=w.team_a_user)
    assert Payment.objects.count() == 1


def test_payments_on_the_page(awarded):
    w = awarded
    m1 = accept(w, w.milestones[0])
    url = f"/challenges/milestones/{m1.pk}/payments/"
    ok = login(w.enterprise_admin).post(
        url, {"amount": "250,000", "paid_on": date.today().isoformat(), "source": "enterprise"}
    )
    assert ok.status_code == 302 and Payment.objects.get().amount == Decimal("250000")
    bad = login(w.enterprise_admin).post(
        url, {"amount": "500000", "paid_on": date.today().isoformat(), "source": "enterprise"}, follow=True
    )
    assert "超出该里程碑的拨付额度" in bad.content.decode() and Payment.objects.count() == 1
    page = login(w.team_a_user).get(f"/challenges/applications/{w.application.pk}/").content.decode()
    assert 'id="funding-summary"' in page and "250,000.00" in page
    assert "登记拨付" not in page  # the team sees the payments, it does not record them
    assert (
        login(w.team_b_user)
        .post(url, {"amount": "1", "paid_on": date.today().isoformat(), "source": "enterprise"})
        .status_code
        == 404
    )


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_milestone_tranches_may_not_exceed_the_funding(world):
    w = world
    due = (date.today() + timedelta(days=100)).isoformat()
    with pytest.raises(ValidationError) as exc:
        apply(
            w,
            milestones_plan=[
                {"title": "样机", "deliverable": "检测样机", "due": due, "amount": "1500000"},
                {"title": "验证", "deliverable": "报告", "due": due, "amount": "600000"},
            ],
        )
    assert "里程碑拨付金额合计 2,100,000.00 元（210 万元）超过榜单总金额" in str(exc.value)


def test_payments_count_in_the_figures_and_the_api(awarded):
    from django.test import Client
    from django.utils import timezone

    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period

    w = awarded
    m1 = accept(w, w.milestones[0])
    pay(w, m1, "400000")
    pay(w, m1, "150000", source="government")
    month = Month.of(timezone.localdate())
    assert compute.total(indicators.get("challenges.paid"), Filters(period=Period(month, month))) == Decimal(
        "55.00"
    )
    figures = Client().get("/api/challenges/figures").json()
    assert figures["paid_by_source"] == {"enterprise": "400000.00", "government": "150000.00"}
