"""Innovation points as a policy fact: a rule "创新积分 ≥ N" (or a grade) is evaluated against the enterprise's
current points with a reason, the operator's rule form offers it, and a recompute that changes the points
re-evaluates the enterprise's policies (a policy it now meets is pushed)."""

import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone
from factories import make_operator

from techmarket.finance import services
from techmarket.finance.models import Declaration
from techmarket.policies import services as policy_services
from techmarket.policies.facts import get_fact
from techmarket.policies.forms import RuleForm
from techmarket.policies.models import PolicyPush
from techmarket.policies.rules import Rule, clean_rule, evaluate_rule
from techmarket.policies.selectors import today

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "policies"))
from policy_helpers import policy_data  # noqa: E402

pytestmark = pytest.mark.django_db


def _verified_patents(org, user, n):
    return Declaration.objects.unscoped().create(
        organization=org, requested_by=user, source="invention_patents", year=2025, value=D(n),
        status=Declaration.Status.APPROVED, decided_at=timezone.now(),
    )  # fmt: skip


def test_the_points_are_registered_as_facts_the_rule_form_offers():
    fact = get_fact("innovation_points")
    assert fact is not None and fact.label == "创新积分" and fact.unit == "分"
    assert get_fact("innovation_grade") is not None
    offered = dict(RuleForm().fields["fact"].choices)
    assert offered["innovation_points"] == "创新积分（分）"
    assert offered["innovation_grade"] == "创新积分等级"
    assert clean_rule("innovation_points", "gte", ["60"]).values == ("60",)


def test_a_points_rule_is_met_or_missed_on_the_enterprises_current_points(indicators, enterprise, ent_admin):
    _verified_patents(enterprise, ent_admin, "3")  # 3 × 5 = 15 points (hand-computed, see the conftest)
    assert services.points_recompute(organization=enterprise, reason="测试") is not None
    day = today()
    met = evaluate_rule(Rule("innovation_points", "gte", ("15",)), enterprise, day)
    assert met.met and met.reason == "创新积分 15分 ≥ 15分 ✓"
    missed = evaluate_rule(Rule("innovation_points", "gte", ("15.01",)), enterprise, day)
    assert not missed.met and missed.reason == "创新积分 15分 < 15.01分 ✗"
    grade = evaluate_rule(Rule("innovation_grade", "in", ("A", "B")), enterprise, day)
    assert not grade.met and "D 级" in grade.reason
    assert evaluate_rule(Rule("innovation_grade", "eq", ("D",)), enterprise, day).met


def test_an_enterprise_never_recomputed_is_evaluated_on_a_fresh_computation(
    indicators, enterprise, ent_admin
):
    _verified_patents(enterprise, ent_admin, "5")  # 25 -> capped at 20
    assert evaluate_rule(Rule("innovation_points", "eq", ("20",)), enterprise, today()).met


def test_other_organisations_have_no_points_and_the_rule_says_unknown(indicators, bank):
    result = evaluate_rule(Rule("innovation_points", "gte", ("0",)), bank, today())
    assert result.state == "unknown" and not result.met


def test_a_points_change_pushes_a_policy_the_enterprise_now_meets(
    indicators, enterprise, ent_admin, django_capture_on_commit_callbacks
):
    operator = make_operator(username="facts_operator")
    rules = [{"fact": "innovation_points", "op": "gte", "values": ["15"]}]
    policy, warnings = policy_services.policy_create(
        acting_user=operator, rules=rules, **policy_data(region="", title="创新积分贷款贴息")
    )
    assert warnings == []
    with django_capture_on_commit_callbacks(execute=True):
        policy_services.policy_move(policy=policy, action="publish", acting_user=operator)
    assert not PolicyPush.objects.unscoped().filter(organization=enterprise, eligible=True).exists()

    _verified_patents(enterprise, ent_admin, "3")
    with django_capture_on_commit_callbacks(execute=True):
        services.points_recompute(organization=enterprise, reason="申报核验")
    push = PolicyPush.objects.unscoped().get(organization=enterprise, policy=policy)
    assert push.eligible and "创新积分 15分 ≥ 15分 ✓" in push.reasons
