"""Review panels: conflicts of interest, aggregation and the tie rule (hand-computed), blindness."""

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from challenge_helpers import apply, expert, login, to_review
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import OrganizationFactory

from techmarket.challenges import panels
from techmarket.challenges.models import Application

D = Decimal
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


# --- aggregation, against hand-computed values ---------------------------------------------------


def test_weighted_total_is_the_weighted_mean_of_criteria():
    # (90·50 + 80·30 + 70·20) / 100 = 83
    assert panels.weighted_total({1: D(90), 2: D(80), 3: D(70)}, {1: D(50), 2: D(30), 3: D(20)}) == D(83)
    # weights need not add up to 100: (60·1 + 90·2) / 3 = 80
    assert panels.weighted_total({1: D(60), 2: D(90)}, {1: D(1), 2: D(2)}) == D(80)


def test_aggregate_plain_and_trimmed_mean():
    totals = [D("83"), D("83.5"), D("85"), D("40")]
    assert panels.aggregate(totals, trimmed=False) == D("72.88")  # 291.5 / 4 = 72.875 → 72.88 (half up)
    assert panels.aggregate(totals, trimmed=True) == D("83.25")  # drop 40 and 85: (83 + 83.5) / 2
    assert panels.aggregate([D(70), D(90)], trimmed=True) == D("80.00")  # fewer than 3: not trimmed
    assert panels.aggregate([], trimmed=True) == D("0")


def test_tie_rule_heaviest_criterion_then_earlier_submission_then_id():
    a = SimpleNamespace(pk=1, created_at=T0 + timedelta(hours=2))
    b = SimpleNamespace(pk=2, created_at=T0 + timedelta(hours=1))
    c = SimpleNamespace(pk=3, created_at=T0)
    d = SimpleNamespace(pk=4, created_at=T0)
    rows = [
        panels.ResultRow(a, D("80.00"), 3, {10: D(85), 11: D(70)}),
        panels.ResultRow(b, D("80.00"), 3, {10: D(80), 11: D(82)}),
        panels.ResultRow(c, D("80.00"), 3, {10: D(80), 11: D(82)}),
        panels.ResultRow(d, D("90.00"), 3, {10: D(60), 11: D(99)}),
    ]
    ranked = panels.rank_rows(rows, heaviest=10, submitted=lambda e: e.created_at)
    # d has the best score; a wins the tie on criterion 10; c was submitted before b
    assert [r.entry.pk for r in ranked] == [4, 1, 3, 2]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert ranked[0].tie_note == "" and ranked[1].tie_note


def test_panel_results_apply_weights_and_trim_per_entry(world):
    w = world
    a = apply(w, team="a")
    b = apply(w, team="b")
    panel = to_review(w)
    panel.trimmed = True
    panel.save()
    for r in w.reviewers:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    crit = list(panel.criteria.all())  # weights 50 / 30 / 20
    sheets_a = [(90, 80, 70), (85, 85, 80), (80, 90, 90), (10, 10, 10)]  # totals 83, 84, 85, 10
    sheets_b = [(70, 70, 70), (60, 80, 70), (75, 70, 60), (100, 100, 100)]  # totals 70, 68, 70.5, 100
    for user, sa, sb in zip(w.reviewer_users, sheets_a, sheets_b, strict=True):
        panels.score_submit(
            panel=panel, entry=a, acting_user=user, values=dict(zip([c.pk for c in crit], sa, strict=True))
        )
        panels.score_submit(
            panel=panel, entry=b, acting_user=user, values=dict(zip([c.pk for c in crit], sb, strict=True))
        )
    panels.panel_close(panel=panel, acting_user=w.operator)
    results = panels.panel_results(panel)
    assert [(r.entry.pk, r.score, r.reviewers) for r in results] == [
        (a.pk, D("83.50"), 4),
        (b.pk, D("70.25"), 4),
    ]


# --- conflicts of interest ------------------------------------------------------------------------


def test_reviewer_of_the_enterprise_or_an_applicant_is_excluded_with_the_reason(world):
    w = world
    apply(w, team="a")
    panel = to_review(w)
    same_enterprise = expert(w.enterprise, "企业专家", panel=True)
    same_applicant = expert(w.uni_a, "同校专家", panel=True)
    assert panels.panel_conflicts(panel, same_enterprise) == ["与临沂精工不锈钢有限公司为同一单位"]
    assert panels.panel_conflicts(panel, same_applicant) == ["与临沂大学为同一单位"]
    with pytest.raises(ValidationError) as exc:
        panels.panel_add_member(panel=panel, expert=same_applicant, acting_user=w.operator)
    assert "需要回避：与临沂大学为同一单位" in exc.value.messages[0]


def test_declared_relations_and_collaborators_exclude(world):
    w = world
    apply(w, team="a")
    panel = to_review(w)
    related = w.reviewers[0]
    related.related_organizations.add(w.uni_a)
    collaborator = w.reviewers[1]
    collaborator.related_experts.add(w.member_a)
    assert panels.panel_conflicts(panel, related) == ["申报了与临沂大学的关联关系"]
    assert panels.panel_conflicts(panel, collaborator) == ["申报了与李博士的合作关系"]
    assert panels.panel_conflicts(panel, w.reviewers[2]) == []


def test_co_membership_of_a_team_within_the_configured_years(world):
    w = world
    apply(w, team="a")
    panel = to_review(w)
    reviewer = w.reviewers[0]
    other_org = OrganizationFactory(kind="university")
    # an earlier application where the reviewer and the applicant's lead sat in one team
    earlier = Application.objects.unscoped().create(
        challenge=w.challenge,
        requested_by=w.reviewer_users[0],
        organization=other_org,
        lead_expert=reviewer,
        plan="x",
        status="withdrawn",
    )
    earlier.members.add(w.lead_a)
    assert panels.panel_conflicts(panel, reviewer) == ["近 3 年曾与王教授同在一个团队"]
    Application.objects.unscoped().filter(pk=earlier.pk).update(
        created_at=timezone.now() - timedelta(days=365 * 4)
    )
    assert panels.panel_conflicts(panel, reviewer) == []
    panel.conflict_years = 5
    assert panels.panel_conflicts(panel, reviewer) == ["近 5 年曾与王教授同在一个团队"]


def test_candidates_split_into_proposed_and_explained_exclusions(world):
    w = world
    apply(w, team="a")
    panel = to_review(w)
    from techmarket.reference.models import Industry

    code = Industry.objects.filter(level=2).values_list("code", flat=True).first()
    w.challenge.industry_id = code
    w.challenge.save()
    for e in w.reviewers:
        e.industries.add(code)
    conflicted = expert(w.uni_a, "同校评审", panel=True)
    conflicted.industries.add(code)
    panel.subject.industry_id = code
    proposed, excluded = panels.panel_candidates(panel)
    assert {c.expert.pk for c in proposed} == {e.pk for e in w.reviewers}
    assert [(c.expert.name, c.conflicts) for c in excluded] == [("同校评审", ["与临沂大学为同一单位"])]


def test_reviewer_with_a_conflict_cannot_open_or_score_the_application(world):
    w = world
    a = apply(w, team="a")
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    w.reviewers[0].related_organizations.add(w.uni_a)  # declared after being drawn
    with pytest.raises(PermissionDenied) as exc:
        panels.reviewer_open_entry(user=w.reviewer_users[0], panel=panel, entry=a)
    assert "利益冲突" in str(exc.value) and "临沂大学" in str(exc.value)
    crit = list(panel.criteria.all())
    with pytest.raises(PermissionDenied):
        panels.score_submit(
            panel=panel, entry=a, acting_user=w.reviewer_users[0], values={c.pk: 80 for c in crit}
        )
    page = login(w.reviewer_users[0]).get(reverse("challenges:review", args=[a.pk]))
    assert page.status_code == 403
    page = login(w.reviewer_users[0]).get(reverse("challenges:application", args=[a.pk]))
    assert page.status_code == 403


# --- who sees what --------------------------------------------------------------------------------


def test_reviewers_see_only_their_own_scores_and_no_results_before_close(world):
    w = world
    a = apply(w, team="a")
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    crit = list(panel.criteria.all())
    panels.score_submit(
        panel=panel, entry=a, acting_user=w.reviewer_users[0], values={c.pk: 77 for c in crit}
    )
    second = login(w.reviewer_users[1])
    page = second.get(reverse("challenges:review", args=[a.pk]))
    # the score as pages render it (77.00 shown, value="77…" prefilled); a bare "77" can occur in a random
    # CSRF token
    other = page.content.decode()
    assert (
        page.status_code == 200 and "77.00" not in other and 'value="77' not in other and ">77<" not in other
    )
    mine = login(w.reviewer_users[0]).get(reverse("challenges:review", args=[a.pk])).content.decode()
    assert "77.00" in mine
    detail = (
        login(w.enterprise_admin).get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    )
    assert "results-table" not in detail
    # the panel page (operators only) shows progress, not scores
    assert (
        login(w.enterprise_admin).get(reverse("challenges:panel", args=[w.challenge.pk])).status_code == 403
    )


def test_applicants_see_their_own_application_only_and_no_reviewer_names(world):
    w = world
    a = apply(w, team="a")
    b = apply(w, team="b")
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    team_a = login(w.team_a_user)
    assert team_a.get(reverse("challenges:application", args=[a.pk])).status_code == 200
    assert team_a.get(reverse("challenges:application", args=[b.pk])).status_code == 404
    detail = team_a.get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    assert w.uni_b.name not in detail
    for r in w.reviewers:
        assert r.name not in detail
    # the enterprise sees both applications to its challenge
    enterprise = (
        login(w.enterprise_admin).get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    )
    assert w.uni_a.name in enterprise and w.uni_b.name in enterprise
    # a reviewer sees nothing before scoring starts
    assert login(w.reviewer_users[0]).get(reverse("challenges:application", args=[a.pk])).status_code == 404
    # the anonymous public sees the challenge but no application
    anon = Client().get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    assert w.uni_a.name not in anon
