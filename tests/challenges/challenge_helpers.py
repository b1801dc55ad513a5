"""Helpers for the 揭榜挂帅 tests. A small 揭榜挂帅 world: an enterprise with a published challenge, two applying universities with their
teams, four panel-eligible reviewers in other organisations, and an operator."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.test import Client
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.challenges import services
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization, Role

PASSWORD = "Sb7!kq-mountain-river"
CRITERIA = [
    {"name": "技术方案", "weight": 50},
    {"name": "团队实力", "weight": 30},
    {"name": "经费合理性", "weight": 20},
]


def expert(org, name, *, user=None, panel=False):
    return Expert.objects.create(
        name=name, affiliation=org, research_fields="不锈钢 冶金 材料", panel_eligible=panel, user=user
    )


def challenge_data(**over):
    data = {
        "title": "高端不锈钢精密带材表面缺陷在线检测",
        "problem": "冷轧不锈钢精密带材表面缺陷人工抽检漏检率高，需要在线检测系统。",
        "targets": [{"indicator": "缺陷检出率", "value": "≥98", "unit": "%", "method": "第三方检测"}],
        "deliverables": "在线检测系统一套，验证报告。",
        "funding_total": Decimal("2000000"),
        "enterprise_share": Decimal("1500000"),
        "government_share": Decimal("500000"),
        "duration_months": 24,
        "criteria": CRITERIA,
        "deadline": timezone.now() + timedelta(days=30),
    }
    data.update(over)
    return data


def application_data(**over):
    due = (date.today() + timedelta(days=200)).isoformat()
    data = {
        "plan": "采用线阵相机与深度学习缺陷分类模型，建设在线检测产线并完成中试验证。",
        "budget": [{"item": "设备费", "amount": "800000"}, {"item": "人员费", "amount": "400000"}],
        "milestones_plan": [
            {"title": "样机", "deliverable": "检测样机", "due": due, "amount": "600000"},
            {"title": "产线验证", "deliverable": "验证报告", "due": due, "amount": "600000"},
        ],
    }
    data.update(over)
    return data


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def make_world():
    w = SimpleNamespace()
    w.operator = make_operator(password=PASSWORD)
    w.enterprise = OrganizationFactory(name="临沂精工不锈钢有限公司")
    w.enterprise_admin = UserFactory(password=PASSWORD)
    MembershipFactory(user=w.enterprise_admin, organization=w.enterprise, role=Role.ORG_ADMIN)
    w.uni_a = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    w.uni_b = OrganizationFactory(name="山东理工测试大学", kind=Organization.Kind.UNIVERSITY)
    w.team_a_user = UserFactory(password=PASSWORD)
    MembershipFactory(user=w.team_a_user, organization=w.uni_a, role=Role.MEMBER)
    w.team_b_user = UserFactory(password=PASSWORD)
    MembershipFactory(user=w.team_b_user, organization=w.uni_b, role=Role.MEMBER)
    w.lead_a = expert(w.uni_a, "王教授", user=w.team_a_user)
    w.member_a = expert(w.uni_a, "李博士")
    w.lead_b = expert(w.uni_b, "赵教授", user=w.team_b_user)
    w.reviewer_orgs = [
        OrganizationFactory(name=f"评审单位{i}", kind=Organization.Kind.INSTITUTE) for i in range(4)
    ]
    w.reviewer_users = [UserFactory(password=PASSWORD) for _ in range(4)]
    w.reviewers = [
        expert(org, f"评审专家{i}", user=u, panel=True)
        for i, (org, u) in enumerate(zip(w.reviewer_orgs, w.reviewer_users, strict=True))
    ]
    w.challenge = services.challenge_create(
        owner=w.enterprise, acting_user=w.enterprise_admin, **challenge_data()
    )
    services.challenge_move(challenge=w.challenge, action="publish", acting_user=w.operator)
    return w


def apply(w, *, team="a", **over):
    user, org, lead = (
        (w.team_a_user, w.uni_a, w.lead_a) if team == "a" else (w.team_b_user, w.uni_b, w.lead_b)
    )
    members = [w.member_a] if team == "a" else []
    return services.application_submit(
        challenge=w.challenge,
        organization=org,
        lead_expert=lead,
        members=members,
        acting_user=user,
        **application_data(**over),
    )


def to_review(w):
    services.challenge_move(challenge=w.challenge, action="start_review", acting_user=w.operator)
    return services.challenge_panel_create(challenge=w.challenge, acting_user=w.operator)


def reload(obj):
    manager = type(obj).objects
    return (manager.unscoped() if hasattr(manager, "unscoped") else manager).get(pk=obj.pk)
