"""The demo builder: policies at every level, some the demo enterprise meets and some it nearly meets,
pushes recorded once, and applications in every state with amounts within each policy's maximum."""

import pytest

from techmarket.demo import generator
from techmarket.demo.builders import achievements as demo_achievements
from techmarket.demo.builders import experts as demo_experts
from techmarket.demo.builders import needs as demo_needs
from techmarket.policies import selectors
from techmarket.policies.models import Policy, PolicyApplication, PolicyPush

pytestmark = pytest.mark.django_db


def test_demo_policies_are_coherent(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(demo_needs, "NEEDS_PER_RUN", 10)
    monkeypatch.setattr(demo_achievements, "ACHIEVEMENTS_PER_RUN", 10)
    monkeypatch.setattr(demo_experts, "EXPERTS_PER_RUN", 10)
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    ctx = generator.generate(seed=generator.DEFAULT_SEED)

    policies = Policy.objects.unscoped()
    assert policies.count() >= 12
    assert set(policies.values_list("level", flat=True)) == set(Policy.Level.values)
    assert set(policies.values_list("status", flat=True)) == set(Policy.Status.values)
    first = ctx.orgs["enterprise"][0]
    staff = ctx.users.get("demo_staff") or first.memberships.first().user
    found = selectors.policies_for(staff, first)
    assert found["eligible"] and found["near"]
    applications = PolicyApplication.objects.unscoped().select_related("policy")
    assert {a.status for a in applications} == set(PolicyApplication.Status.values)
    for a in applications:
        assert a.requested_amount <= a.policy.max_amount
        if a.approved_amount is not None:
            assert a.approved_amount <= a.policy.max_amount
    pushes = PolicyPush.objects.unscoped()
    assert pushes.filter(eligible=True).exists() and pushes.filter(eligible=False).exists()
    assert pushes.count() == pushes.values("policy", "organization", "version").distinct().count()
