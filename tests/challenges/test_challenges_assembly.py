"""组阁制 (the operator assembles the team from the expert pool) and the engagement opened on award."""

import pytest
from challenge_helpers import application_data, apply, challenge_data, expert, login, reload
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from factories import MembershipFactory, UserFactory, make_bureau

from techmarket.audit.models import AuditLog
from techmarket.challenges import assembly, services
from techmarket.challenges.models import Application, Challenge, Milestone, TeamInvitation
from techmarket.engagements.models import Engagement
from techmarket.orgs.models import Role
from techmarket.reference.models import Industry


def assembled_world(w):
    """An assembled (组阁制) challenge in the industry of the two teams' experts, published."""
    industry = Industry.objects.filter(level=2).order_by("code").first()
    code = industry.code
    challenge = services.challenge_create(
        owner=w.enterprise,
        acting_user=w.enterprise_admin,
        **challenge_data(
            mode=Challenge.Mode.ASSEMBLED, title="新能源商用车电驱系统组阁攻关", industry=industry
        ),
    )
    services.challenge_move(challenge=challenge, action="publish", acting_user=w.operator)
    for e in (w.lead_a, w.member_a, w.lead_b):
        e.industries.add(code)
    member_user = UserFactory()
    MembershipFactory(user=member_user, organization=w.uni_a, role=Role.MEMBER)
    w.member_a.user = member_user
    w.member_a.save()
    w.member_a_user = member_user
    return reload(challenge), code


def test_candidates_by_field_exclude_the_enterprises_people_with_the_reason(world):
    w = world
    challenge, code = assembled_world(w)
    own = expert(w.enterprise, "企业工程师", user=UserFactory())
    own.industries.add(code)
    related = expert(w.uni_b, "关联专家", user=UserFactory())
    related.industries.add(code)
    related.related_organizations.add(w.enterprise)
    proposed, excluded = assembly.team_candidates(challenge)
    assert {w.lead_a.pk, w.member_a.pk, w.lead_b.pk} <= {c.expert.pk for c in proposed}
    assert all("研究领域与榜单所属行业相同" in c.why for c in proposed)
    reasons = {c.expert.name: c.conflicts for c in excluded}
    assert reasons["企业工程师"] == ["与发榜企业临沂精工不锈钢有限公司为同一单位"]
    assert reasons["关联专家"] == ["申报了与发榜企业临沂精工不锈钢有限公司的关联关系"]
    with pytest.raises(ValidationError) as exc:
        assembly.team_invite(challenge=challenge, expert=own, acting_user=w.operator)
    assert "同一单位" in str(exc.value)
    assert not TeamInvitation.objects.unscoped().exists()


def test_only_operators_invite_and_only_for_assembled_challenges(world):
    w = world
    challenge, _code = assembled_world(w)
    with pytest.raises(PermissionDenied):
        assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.enterprise_admin)
    with pytest.raises(ValidationError) as exc:
        assembly.team_invite(challenge=w.challenge, expert=w.lead_a, acting_user=w.operator)  # open call
    assert "揭榜制" in str(exc.value)
    assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    with pytest.raises(ValidationError) as exc:
        assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    assert "已邀请过" in str(exc.value)
    assert TeamInvitation.objects.unscoped().count() == 1


def test_open_call_application_is_refused_on_an_assembled_challenge(world):
    w = world
    challenge, _code = assembled_world(w)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            challenge=challenge,
            organization=w.uni_a,
            lead_expert=w.lead_a,
            members=[],
            acting_user=w.team_a_user,
            **application_data(),
        )
    assert "组阁制" in str(exc.value)
    assert not Application.objects.unscoped().filter(challenge=challenge).exists()


def test_the_invited_expert_answers_and_the_operator_hears_it(world, django_capture_on_commit_callbacks):
    from techmarket.notifications.models import Notification

    w = world
    challenge, _code = assembled_world(w)
    with django_capture_on_commit_callbacks(execute=True):
        inv_a = assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
        inv_b = assembly.team_invite(challenge=challenge, expert=w.lead_b, acting_user=w.operator)
    assert Notification.objects.filter(user=w.team_a_user, title__startswith="组阁邀请").exists()
    from techmarket.challenges.workspace import challenges_panel

    links = {str(label): n for label, _url, n in challenges_panel(w.team_a_user)["links"]}
    assert links["待答复的组阁邀请"] == 1
    with pytest.raises(PermissionDenied):
        assembly.team_invitation_answer(invitation=inv_a, acting_user=w.team_b_user, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        assembly.team_invitation_answer(invitation=inv_a, acting_user=w.team_a_user, accept=True)
        assembly.team_invitation_answer(
            invitation=inv_b, acting_user=w.team_b_user, accept=False, reason="本年度任务已满"
        )
    assert reload(inv_a).status == "approved" and reload(inv_a).decided_by == w.team_a_user
    assert reload(inv_b).decision_note == "本年度任务已满"
    assert Notification.objects.filter(user=w.operator, title__contains="接受了组阁邀请").exists()
    assert Notification.objects.filter(user=w.operator, title__contains="谢绝了组阁邀请").exists()
    assert set(
        AuditLog.objects.filter(action__startswith="challenges.team_invitation.").values_list(
            "action", flat=True
        )
    ) == {
        "challenges.team_invitation.invite",
        "challenges.team_invitation.accept",
        "challenges.team_invitation.decline",
    }
    assert [e.pk for e in assembly.accepted_experts(challenge)] == [w.lead_a.pk]


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_the_assembled_team_carries_the_challenge_like_an_awarded_application(world):
    w = world
    challenge, _code = assembled_world(w)
    for e, user in ((w.lead_a, w.team_a_user), (w.member_a, w.member_a_user)):
        inv = assembly.team_invite(challenge=challenge, expert=e, acting_user=w.operator)
        assembly.team_invitation_answer(invitation=inv, acting_user=user, accept=True)
    pending = assembly.team_invite(challenge=challenge, expert=w.lead_b, acting_user=w.operator)
    data = application_data()
    with pytest.raises(ValidationError) as exc:  # 赵教授 has not accepted
        assembly.team_assemble(
            challenge=challenge,
            lead_expert=w.lead_a,
            members=[w.lead_b],
            acting_user=w.operator,
            reason="组阁",
            **data,
        )
    assert "赵教授" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # budget over the funding: nothing half-saved
        assembly.team_assemble(
            challenge=challenge,
            lead_expert=w.lead_a,
            members=[w.member_a],
            acting_user=w.operator,
            reason="组阁",
            **application_data(budget=[{"item": "设备费", "amount": "9000000"}]),
        )
    assert "超过榜单总金额" in str(exc.value)
    assert not Application.objects.unscoped().filter(challenge=challenge).exists()
    assert reload(challenge).status == Challenge.Status.OPEN

    application = assembly.team_assemble(
        challenge=challenge,
        lead_expert=w.lead_a,
        members=[w.member_a],
        acting_user=w.operator,
        reason="临沂大学团队在电驱系统方向积累最深",
        **data,
    )
    challenge = reload(challenge)
    assert challenge.status == Challenge.Status.PUBLICITY
    assert challenge.proposed_application_id == application.pk
    assert application.requested_by == w.team_a_user and application.organization == w.uni_a
    assert list(application.members.all()) == [w.member_a]
    assert AuditLog.objects.filter(action="challenges.application.assemble", actor=w.operator).exists()
    with pytest.raises(ValidationError):  # the team is assembled: no more answers
        assembly.team_invitation_answer(invitation=pending, acting_user=w.team_b_user, accept=True)

    services.challenge_award(challenge=challenge, acting_user=w.operator)
    challenge = reload(challenge)
    assert challenge.status == Challenge.Status.AWARDED
    assert reload(application).status == "approved"
    assert Milestone.objects.filter(application=application).count() == 2
    engagement = Engagement.objects.unscoped().get(pk=challenge.engagement_id)
    assert (engagement.demand_org, engagement.supply_org) == (w.enterprise, w.uni_a)
    assert set(engagement.experts.all()) == {w.lead_a, w.member_a}


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_award_opens_one_engagement_and_reopening_changes_nothing(world):
    from test_challenges_lifecycle import score_all

    from techmarket.challenges import panels

    w = world
    a = apply(w, team="a")
    apply(w, team="b")
    services.challenge_move(challenge=w.challenge, action="start_review", acting_user=w.operator)
    panel = services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    b = Application.objects.unscoped().exclude(pk=a.pk).get(challenge=w.challenge)
    score_all(panel, a, w.reviewer_users[:3], [(90, 90, 90)] * 3)
    score_all(panel, b, w.reviewer_users[:3], [(60, 60, 60)] * 3)
    panels.panel_close(panel=panel, acting_user=w.operator)
    services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="第一名"
    )
    services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    challenge = reload(w.challenge)
    engagement = Engagement.objects.unscoped().get(pk=challenge.engagement_id)
    assert engagement.demand_org == w.enterprise and engagement.supply_org == w.uni_a
    assert engagement.lead_broker == w.operator and engagement.opened_by == w.operator
    again = services.challenge_open_engagement(challenge=challenge, acting_user=w.operator)
    assert again.pk == engagement.pk
    assert Engagement.objects.unscoped().count() == 1
    assert AuditLog.objects.filter(action="challenges.challenge.open_engagement").count() == 1
    # an acceptance reviewer reads the winning team's application only, never the losing one
    for m in Milestone.objects.filter(application=a).order_by("order"):
        services.milestone_move(milestone=m, action="submit", acting_user=w.team_a_user, note="完成")
        services.milestone_move(milestone=reload(m), action="accept", acting_user=w.enterprise_admin)
    acceptance = services.challenge_acceptance_panel_create(
        challenge=reload(w.challenge), acting_user=w.operator
    )
    for r in w.reviewers[1:4]:
        panels.panel_add_member(panel=acceptance, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=acceptance, acting_user=w.operator)
    judge = login(w.reviewer_users[3])  # sat on the acceptance panel only
    assert judge.get(f"/challenges/applications/{a.pk}/").status_code == 200
    assert judge.get(f"/challenges/applications/{b.pk}/").status_code == 404
    assert login(w.reviewer_users[0]).get(f"/challenges/applications/{b.pk}/").status_code == 200  # selection
    # the parties see it from the challenge page; the losing team does not
    assert (
        f"/engagements/{engagement.pk}/"
        in login(w.enterprise_admin).get(f"/challenges/{challenge.pk}/").content.decode()
    )
    assert (
        f"/engagements/{engagement.pk}/"
        in login(w.team_a_user).get(f"/challenges/{challenge.pk}/").content.decode()
    )
    assert (
        f"/engagements/{engagement.pk}/"
        not in login(w.team_b_user).get(f"/challenges/{challenge.pk}/").content.decode()
    )


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_a_bureau_award_leaves_the_engagement_to_an_operator(world):
    w = world
    challenge, _code = assembled_world(w)
    inv = assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    assembly.team_invitation_answer(invitation=inv, acting_user=w.team_a_user, accept=True)
    assembly.team_assemble(
        challenge=challenge,
        lead_expert=w.lead_a,
        members=[],
        acting_user=w.operator,
        reason="组阁",
        **application_data(),
    )
    bureau = make_bureau()
    services.challenge_award(challenge=reload(challenge), acting_user=bureau)
    challenge = reload(challenge)
    assert challenge.status == Challenge.Status.AWARDED and challenge.engagement_id is None
    with pytest.raises(PermissionDenied):
        services.challenge_open_engagement(challenge=challenge, acting_user=bureau)
    page = login(w.operator).get(f"/challenges/{challenge.pk}/").content.decode()
    assert f"/challenges/{challenge.pk}/engagement/" in page
    response = login(w.operator).post(f"/challenges/{challenge.pk}/engagement/")
    challenge = reload(challenge)
    assert response.status_code == 302 and response["Location"] == f"/engagements/{challenge.engagement_id}/"
    assert login(w.operator).post(f"/challenges/{challenge.pk}/engagement/").status_code == 302
    assert Engagement.objects.unscoped().count() == 1


def test_team_page_for_operators_and_invitation_answer_page_for_the_expert(world):
    w = world
    challenge, code = assembled_world(w)
    own = expert(w.enterprise, "企业工程师", user=UserFactory())
    own.industries.add(code)
    assert login(w.enterprise_admin).get(f"/challenges/{challenge.pk}/team/").status_code == 403
    assert login(w.operator).get(f"/challenges/{w.challenge.pk}/team/").status_code == 404  # open call
    page = login(w.operator).get(f"/challenges/{challenge.pk}/team/").content.decode()
    assert "王教授" in page and "企业工程师" in page and "为同一单位" in page
    response = login(w.operator).post(
        f"/challenges/{challenge.pk}/team/", {"op": "invite", "expert": w.lead_a.pk}
    )
    assert response.status_code == 302
    inv = TeamInvitation.objects.unscoped().get(challenge=challenge, expert=w.lead_a)
    mine = login(w.team_a_user).get("/challenges/applications/").content.decode()
    assert 'class="breadcrumb"' in mine and challenge.title in mine and "接受邀请" in mine
    assert (
        login(w.team_b_user).post(f"/challenges/invitations/{inv.pk}/answer/", {"accept": "1"}).status_code
        == 404
    )
    login(w.team_a_user).post(f"/challenges/invitations/{inv.pk}/answer/", {"accept": "1"})
    assert reload(inv).status == "approved"
    bad = login(w.operator).post(
        f"/challenges/{challenge.pk}/team/",
        {
            "op": "assemble",
            "team-lead_expert": w.lead_a.pk,
            "team-plan": "采用线阵相机与深度学习缺陷分类模型，建设在线检测产线并完成中试验证。",
            "team-budget": "设备费 | 900000000",
            "team-milestones_plan": "样机 | 检测样机 | 2030-01-01 | 100000",
            "team-reason": "组阁",
        },
    )
    assert bad.status_code == 200 and "超过榜单总金额" in bad.content.decode()
    ok = login(w.operator).post(
        f"/challenges/{challenge.pk}/team/",
        {
            "op": "assemble",
            "team-lead_expert": w.lead_a.pk,
            "team-plan": "采用线阵相机与深度学习缺陷分类模型，建设在线检测产线并完成中试验证。",
            "team-budget": "设备费 | 900000",
            "team-milestones_plan": "样机 | 检测样机 | 2030-01-01 | 100000",
            "team-reason": "组阁",
        },
    )
    assert ok.status_code == 302
    assert reload(challenge).status == Challenge.Status.PUBLICITY
