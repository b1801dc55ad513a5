"""Re-review after an objection upheld in the publicity period (公示), for both modes."""

import pytest
from challenge_helpers import application_data, apply, login, reload
from django.core.exceptions import ValidationError
from django.test import override_settings
from test_challenges_assembly import assembled_world
from test_challenges_lifecycle import score_all

from techmarket.audit.models import AuditLog
from techmarket.challenges import assembly, panels, services
from techmarket.challenges.models import Application, Challenge


def reviewed_and_proposed(w):
    """Two applications scored by three reviewers (a first), team a proposed; an objection upheld."""
    a, b = apply(w, team="a"), apply(w, team="b")
    services.challenge_move(challenge=w.challenge, action="start_review", acting_user=w.operator)
    panel = services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    score_all(panel, a, w.reviewer_users[:3], [(90, 90, 90)] * 3)
    score_all(panel, b, w.reviewer_users[:3], [(80, 80, 80)] * 3)
    panels.panel_close(panel=panel, acting_user=w.operator)
    services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="综合得分第一"
    )
    objection = services.objection_raise(
        challenge=reload(w.challenge),
        acting_user=w.team_b_user,
        text="拟揭榜团队负责人同时承担三项同类榜单，精力不足。",
    )
    return a, b, panel, objection


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_a_dismissed_objection_does_not_allow_a_re_review(world):
    w = world
    _a, _b, _panel, objection = reviewed_and_proposed(w)
    services.objection_answer(
        objection=objection, acting_user=w.operator, upheld=False, answer="经核实不属实。"
    )
    with pytest.raises(ValidationError) as exc:
        services.challenge_re_review(challenge=reload(w.challenge), acting_user=w.operator, reason="重新评审")
    assert "成立的异议" in str(exc.value)
    assert reload(w.challenge).status == Challenge.Status.PUBLICITY


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_upheld_objection_sends_the_challenge_back_and_the_operator_decides_again(
    world, django_capture_on_commit_callbacks
):
    from techmarket.notifications.models import Notification

    w = world
    a, b, panel, objection = reviewed_and_proposed(w)
    services.objection_answer(
        objection=objection, acting_user=w.operator, upheld=True, answer="经核实属实，重新评审。"
    )
    with pytest.raises(ValidationError) as exc:
        services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    assert "成立的公示异议" in exc.value.messages[0]
    with pytest.raises(ValidationError):  # a reason is required
        services.challenge_re_review(challenge=reload(w.challenge), acting_user=w.operator, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_re_review(
            challenge=reload(w.challenge),
            acting_user=w.operator,
            reason="异议成立：拟揭榜团队负责人精力不足。",
        )
    challenge = reload(w.challenge)
    assert challenge.status == Challenge.Status.REVIEWING and challenge.proposed_application is None
    assert challenge.publicity_until is None
    told = set(
        Notification.objects.filter(title__startswith="公示异议成立").values_list("user_id", flat=True)
    )
    assert told == {w.team_a_user.pk, w.team_b_user.pk}
    assert AuditLog.objects.filter(action="challenges.challenge.re_review", actor=w.operator).exists()
    # the closed panel's ranking still stands: the operator proposes the second team, with reasons
    services.challenge_propose_award(
        challenge=challenge, application=b, acting_user=w.operator, reason="第一名异议成立，由第二名递补"
    )
    challenge = services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    assert reload(challenge).status == Challenge.Status.AWARDED  # the earlier round's objection is answered
    assert reload(b).status == "approved" and reload(a).status == "rejected"


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_a_re_review_may_form_one_new_panel(world):
    w = world
    a, b, first, objection = reviewed_and_proposed(w)
    with pytest.raises(ValidationError):  # no new panel while the result is in 公示
        services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    services.objection_answer(
        objection=objection, acting_user=w.operator, upheld=True, answer="评审专家回避不当。"
    )
    services.challenge_re_review(challenge=reload(w.challenge), acting_user=w.operator, reason="重新组织评审")
    second = services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    assert second.pk != first.pk and services.selection_panel(reload(w.challenge)) == second
    with pytest.raises(ValidationError) as exc:
        services.challenge_panel_create(challenge=reload(w.challenge), acting_user=w.operator)
    assert "已有评审组" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # the new panel decides now
        services.challenge_propose_award(
            challenge=reload(w.challenge), application=b, acting_user=w.operator, reason="递补"
        )
    assert "专家评审结束后" in str(exc.value)
    for r in w.reviewers[1:4]:
        panels.panel_add_member(panel=second, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=second, acting_user=w.operator)
    users = w.reviewer_users[1:4]
    score_all(second, a, users, [(70, 70, 70)] * 3)
    score_all(second, b, users, [(88, 88, 88)] * 3)
    panels.panel_close(panel=second, acting_user=w.operator)
    assert [r.entry.pk for r in panels.panel_results(second)] == [b.pk, a.pk]
    page = login(w.operator).get(f"/challenges/{w.challenge.pk}/panel/")
    assert page.status_code == 200


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_an_assembled_team_with_an_upheld_objection_is_reassembled(world):
    w = world
    challenge, _code = assembled_world(w)
    for e, user in ((w.lead_a, w.team_a_user), (w.lead_b, w.team_b_user)):
        inv = assembly.team_invite(challenge=challenge, expert=e, acting_user=w.operator)
        assembly.team_invitation_answer(invitation=inv, acting_user=user, accept=True)
    first = assembly.team_assemble(
        challenge=challenge,
        lead_expert=w.lead_a,
        members=[],
        acting_user=w.operator,
        reason="组阁",
        **application_data(),
    )
    objection = services.objection_raise(
        challenge=reload(challenge),
        acting_user=w.enterprise_admin,
        text="团队负责人与本企业存在未申报的合作关系。",
    )
    services.objection_answer(objection=objection, acting_user=w.operator, upheld=True, answer="属实。")
    with pytest.raises(ValidationError) as exc:  # the assembled mode is reassembled, not re-reviewed
        services.challenge_re_review(challenge=reload(challenge), acting_user=w.operator, reason="重新评审")
    assert "重新组阁" in str(exc.value)
    services.challenge_reassemble(challenge=reload(challenge), acting_user=w.operator, reason="负责人需回避")
    challenge = reload(challenge)
    assert challenge.status == Challenge.Status.OPEN and challenge.proposed_application is None
    first = reload(first)
    assert first.status == "rejected" and first.decision_note == "负责人需回避"
    second = assembly.team_assemble(
        challenge=challenge,
        lead_expert=w.lead_b,
        members=[],
        acting_user=w.operator,
        reason="改由赵教授牵头",
        **application_data(),
    )
    services.challenge_award(challenge=reload(challenge), acting_user=w.operator)
    assert reload(second).status == "approved"
    assert Application.objects.unscoped().filter(challenge=challenge, status="approved").count() == 1
