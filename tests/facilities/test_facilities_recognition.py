"""Recognition (认定) and periodic evaluation of a facility: application by the owner, a review panel (the
generic challenges panels) scoring on configurable criteria, the operator's decision with reasons, 公示 with
objections, then 已认定 with a date — or, for a failed evaluation, 已撤销. Allowed and refused moves, bad
input, self-review refused, visibility, audit records and the pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.audit.models import AuditLog
from techmarket.challenges import panels
from techmarket.challenges.models import Panel, PanelMember
from techmarket.decisions.models import RequestStatus
from techmarket.experts.models import Expert
from techmarket.facilities import recognition as rec
from techmarket.facilities import selectors
from techmarket.facilities.models import Facility, Recognition
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

STATEMENT = "中心建成两年，已为 40 余家企业提供原理验证和样机试制服务，设备开放共享，收费规范。"
CRITERIA = "服务能力 60\n服务成效 40"


def _expert(name, org, *, user=None):
    return Expert.objects.create(
        name=name, affiliation=org, research_fields="新材料 验证", panel_eligible=True, user=user
    )


@pytest.fixture
def reviewers(db):
    out = []
    for i in range(3):
        org = OrganizationFactory(name=f"评审单位{i}")
        user = UserFactory()
        MembershipFactory(user=user, organization=org, role=Role.MEMBER)
        out.append(_expert(f"评审专家{i}", org, user=user))
    return out


def _reload(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def _reviewed(recognition, operator, reviewers, values=("80", "90")):
    """Form the panel with two criteria, seat three reviewers, score, close."""
    panel = rec.recognition_panel_create(recognition=recognition, acting_user=operator, criteria=CRITERIA)
    for e in reviewers:
        rec.recognition_add_member(panel=panel, expert=e, acting_user=operator)
    panels.panel_start_scoring(panel=panel, acting_user=operator)
    first, second = panel.criteria.all()
    for e in reviewers:
        rec.recognition_score(
            panel=panel, acting_user=e.user, values={first.pk: values[0], second.pk: values[1]}, comments={}
        )
    panels.panel_close(panel=panel, acting_user=operator)
    return _reload(panel)


def _end_publicity(recognition):
    Recognition.objects.unscoped().filter(pk=recognition.pk).update(
        publicity_until=timezone.now() - timedelta(minutes=1)
    )
    return _reload(recognition)


def test_the_owner_applies_the_panel_scores_the_operator_decides_and_after_publicity_it_is_recognised(
    centre, uni_admin, operator, reviewers, ent_user
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    assert r.status == Recognition.Status.REVIEWING and r.kind == Recognition.Kind.APPLICATION
    panel = _reviewed(r, operator, reviewers)
    assert [c.name for c in panel.criteria.all()] == ["服务能力", "服务成效"]
    result = rec.recognition_result(r)
    assert result.score == 84 and result.reviewers == 3  # (80×60 + 90×40) / 100
    r = rec.recognition_decide(
        recognition=_reload(r), acting_user=operator, passed=True, reason="服务成效显著，同意认定。"
    )
    assert (
        r.status == Recognition.Status.PUBLICITY and r.outcome is True and r.publicity_until > timezone.now()
    )
    assert r.decided_by == operator and r.status_note == "服务成效显著，同意认定。"
    with pytest.raises(ValidationError, match="公示结束后才能办结"):
        rec.recognition_conclude(recognition=r, acting_user=operator)
    objection = rec.objection_raise(
        recognition=r, acting_user=ent_user, text="该中心去年曾拒绝开放共享仪器，请核实。"
    )
    r = _end_publicity(r)
    with pytest.raises(ValidationError, match="未答复的公示异议"):
        rec.recognition_conclude(recognition=r, acting_user=operator)
    rec.objection_answer(
        objection=objection, acting_user=operator, upheld=False, answer="经核实，仪器按规定开放。"
    )
    rec.recognition_conclude(recognition=_reload(r), acting_user=operator)
    r, centre = _reload(r), _reload(centre)
    assert r.status == Recognition.Status.PASSED and r.concluded_at is not None
    assert centre.status == Facility.Status.RECOGNISED and centre.recognised_at is not None
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "facilities.recognition.apply",
        "facilities.recognition.publicise",
        "facilities.recognition.pass",
        "facilities.recognition_objection.raise",
        "facilities.recognition_objection.dismiss",
        "facilities.facility.recognise",
        "challenges.panel.create",
        "challenges.panel.score",
    } <= actions


def test_only_the_owner_administrator_applies_and_only_from_trial_with_a_statement(
    centre, uni_admin, ent_user, operator, university
):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    for user in (ent_user, member, operator):
        with pytest.raises(PermissionDenied, match="依托单位的管理员"):
            rec.recognition_apply(facility=centre, acting_user=user, statement=STATEMENT)
    with pytest.raises(ValidationError) as exc:
        rec.recognition_apply(facility=centre, acting_user=uni_admin, statement="很好")
    assert "至少 20 个字" in exc.value.message_dict["statement"][0]
    rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    with pytest.raises(ValidationError, match="正在办理的认定或评价"):
        rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    Facility.objects.unscoped().filter(pk=centre.pk).update(status=Facility.Status.RECOGNISED)
    with pytest.raises(ValidationError, match="只有试点平台可以申报认定"):
        rec.recognition_apply(facility=_reload(centre), acting_user=uni_admin, statement=STATEMENT)
    assert Recognition.objects.unscoped().count() == 1


def test_a_member_of_the_owner_organisation_may_not_sit_on_its_panel(
    centre, uni_admin, operator, reviewers, university
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    panel = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)
    # a member of the owner organisation, registered as an expert of another organisation
    insider = UserFactory()
    MembershipFactory(user=insider, organization=university, role=Role.MEMBER)
    inside = _expert("校内专家", OrganizationFactory(name="另一研究院"), user=insider)
    with pytest.raises(ValidationError, match="不能评审本单位的平台（不得自评）"):
        rec.recognition_add_member(panel=panel, expert=inside, acting_user=operator)
    # an expert affiliated with the owner organisation: the panels' own conflict rule, explained
    with pytest.raises(ValidationError, match="需要回避：与沂蒙科技大学为同一单位"):
        rec.recognition_add_member(panel=panel, expert=_expert("本校教授", university), acting_user=operator)
    # the owner organisation's administrator cannot seat anyone either
    with pytest.raises(PermissionDenied):
        rec.recognition_add_member(panel=panel, expert=reviewers[0], acting_user=uni_admin)
    assert not PanelMember.objects.unscoped().filter(panel=panel).exists()
    assert panels.panel_conflicts(panel, _expert("本校讲师", university)) == ["与沂蒙科技大学为同一单位"]


def test_criteria_are_configurable_and_bad_criteria_are_explained(centre, uni_admin, operator):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    for bad, message in (
        ("", "请至少设置一项评审指标"),
        ("服务能力 abc", "第 1 行“服务能力 abc”格式不对"),
        ("服务能力 30\n服务能力 20", "重复"),
        ("服务能力 -5", "权重为正数"),
    ):
        with pytest.raises(ValidationError, match=message):
            rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=bad)
    with pytest.raises(PermissionDenied):
        rec.recognition_panel_create(recognition=r, acting_user=uni_admin, criteria=CRITERIA)
    assert not panels.panels_of(r).exists()
    panel = rec.recognition_panel_create(
        recognition=r, acting_user=operator, criteria="开放共享 1\n运行管理 3"
    )
    assert [(c.name, int(c.weight)) for c in panel.criteria.all()] == [("开放共享", 1), ("运行管理", 3)]
    with pytest.raises(ValidationError, match="已有评审组"):
        rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)


def test_scores_out_of_range_and_deciding_before_the_panel_closes_are_refused(
    centre, uni_admin, operator, reviewers
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    panel = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)
    for e in reviewers:
        rec.recognition_add_member(panel=panel, expert=e, acting_user=operator)
    panels.panel_start_scoring(panel=panel, acting_user=operator)
    first, second = panel.criteria.all()
    with pytest.raises(ValidationError) as exc:
        rec.recognition_score(
            panel=panel, acting_user=reviewers[0].user, values={first.pk: "120", second.pk: "x"}, comments={}
        )
    assert "超出范围" in str(exc.value) and "请为“服务成效”打分" in str(exc.value)
    with pytest.raises(PermissionDenied, match="不得自评"):
        rec.recognition_score(
            panel=panel, acting_user=uni_admin, values={first.pk: "80", second.pk: "80"}, comments={}
        )
    with pytest.raises(ValidationError, match="专家评审结束后才能作出决定"):
        rec.recognition_decide(recognition=r, acting_user=operator, passed=True, reason="同意")
    with pytest.raises(ValidationError, match="评分未完成"):
        panels.panel_close(panel=panel, acting_user=operator)
    assert _reload(r).status == Recognition.Status.REVIEWING


def test_a_decision_needs_reasons_and_a_refused_application_ends_without_publicity(
    centre, uni_admin, operator, reviewers
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    _reviewed(r, operator, reviewers, values=("40", "50"))
    with pytest.raises(ValidationError):
        rec.recognition_decide(recognition=_reload(r), acting_user=operator, passed=True, reason="  ")
    with pytest.raises(PermissionDenied):
        rec.recognition_decide(recognition=_reload(r), acting_user=uni_admin, passed=True, reason="同意")
    r = rec.recognition_decide(
        recognition=_reload(r), acting_user=operator, passed=False, reason="服务成效不足，继续试点。"
    )
    assert r.status == Recognition.Status.FAILED and r.publicity_until is None and r.concluded_at is not None
    assert _reload(centre).status == Facility.Status.TRIAL
    # the facility may apply again later
    rec.recognition_apply(facility=_reload(centre), acting_user=uni_admin, statement=STATEMENT)


def test_an_upheld_objection_sends_the_round_back_to_review_with_a_new_panel(
    centre, uni_admin, operator, reviewers, ent_user
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    _reviewed(r, operator, reviewers)
    r = rec.recognition_decide(recognition=_reload(r), acting_user=operator, passed=True, reason="同意认定。")
    with pytest.raises(ValidationError, match="至少 10 个字"):
        rec.objection_raise(recognition=r, acting_user=ent_user, text="不同意")
    objection = rec.objection_raise(
        recognition=r, acting_user=ent_user, text="申报的服务企业数量与实际不符，请核实。"
    )
    with pytest.raises(PermissionDenied):
        rec.objection_answer(objection=objection, acting_user=uni_admin, upheld=False, answer="不成立")
    with pytest.raises(ValidationError):
        rec.objection_answer(objection=objection, acting_user=operator, upheld=True, answer="")
    rec.objection_answer(objection=objection, acting_user=operator, upheld=True, answer="经核实，数量有误。")
    assert _reload(objection).status == RequestStatus.APPROVED
    r = _end_publicity(r)
    with pytest.raises(ValidationError, match="有成立的公示异议"):
        rec.recognition_conclude(recognition=r, acting_user=operator)
    with pytest.raises(ValidationError):
        rec.recognition_re_review(recognition=r, acting_user=operator, reason="")
    r = rec.recognition_re_review(recognition=r, acting_user=operator, reason="异议成立，重新评审。")
    assert r.status == Recognition.Status.REVIEWING and r.outcome is None and r.publicity_until is None
    second = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)
    assert panels.panels_of(r).count() == 2 and rec.current_panel(r) == second
    assert _reload(centre).status == Facility.Status.TRIAL


def test_a_periodic_evaluation_goes_the_same_way_and_a_failed_one_revokes(
    centre, uni_admin, operator, reviewers
):
    with pytest.raises(ValidationError, match="只有已认定的平台需要定期评价"):
        rec.recognition_evaluate(
            facility=centre,
            acting_user=operator,
            period="2026 年度",
            statement="年度运行评价：服务量与开放共享情况。",
        )
    first = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    _reviewed(first, operator, reviewers)
    first = rec.recognition_decide(
        recognition=_reload(first), acting_user=operator, passed=True, reason="同意认定。"
    )
    rec.recognition_conclude(recognition=_end_publicity(first), acting_user=operator)
    centre = _reload(centre)
    with pytest.raises(PermissionDenied):
        rec.recognition_evaluate(
            facility=centre,
            acting_user=uni_admin,
            period="2026 年度",
            statement="年度运行评价：服务量与开放共享情况。",
        )
    with pytest.raises(ValidationError) as exc:
        rec.recognition_evaluate(
            facility=centre,
            acting_user=operator,
            period=" ",
            statement="年度运行评价：服务量与开放共享情况。",
        )
    assert "评价周期" in exc.value.message_dict["period"][0]
    ev = rec.recognition_evaluate(
        facility=centre,
        acting_user=operator,
        period="2026 年度",
        statement="年度运行评价：服务量与开放共享情况。",
    )
    assert ev.kind == Recognition.Kind.EVALUATION
    with pytest.raises(ValidationError, match="定期评价不能撤回"):
        rec.recognition_withdraw(recognition=ev, acting_user=uni_admin)
    _reviewed(ev, operator, reviewers, values=("30", "40"))
    ev = rec.recognition_decide(
        recognition=_reload(ev), acting_user=operator, passed=False, reason="全年仅服务 2 项，未达要求。"
    )
    assert ev.status == Recognition.Status.PUBLICITY and ev.outcome is False  # a revocation is published too
    assert _reload(centre).status == Facility.Status.RECOGNISED
    rec.recognition_conclude(recognition=_end_publicity(ev), acting_user=operator)
    centre = _reload(centre)
    assert _reload(ev).status == Recognition.Status.FAILED
    assert centre.status == Facility.Status.REVOKED and centre.revoked_at is not None
    assert "全年仅服务 2 项" in centre.status_note
    assert AuditLog.objects.filter(action="facilities.facility.revoke").exists()
    assert AuditLog.objects.filter(action="facilities.recognition.evaluate").exists()


def test_the_owner_withdraws_an_application_under_review(centre, uni_admin, operator, ent_user):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    with pytest.raises(PermissionDenied):
        rec.recognition_withdraw(recognition=r, acting_user=ent_user)
    r = rec.recognition_withdraw(recognition=r, acting_user=uni_admin)
    assert r.status == Recognition.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)


def test_who_sees_a_round(centre, uni_admin, operator, reviewers, ent_user, stranger):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    assert selectors.recognition_get_visible(uni_admin, r.pk) == r
    assert selectors.recognition_get_visible(operator, r.pk) == r
    for user in (ent_user, stranger, reviewers[0].user):
        with pytest.raises(Http404):
            selectors.recognition_get_visible(user, r.pk)
    panel = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)
    rec.recognition_add_member(panel=panel, expert=reviewers[0], acting_user=operator)
    assert selectors.recognition_get_visible(reviewers[0].user, r.pk) == r
    Recognition.objects.unscoped().filter(pk=r.pk).update(status=Recognition.Status.PUBLICITY)
    assert selectors.recognition_get_visible(stranger, r.pk) == r  # 公示 is public


def _login(client, user):
    client.force_login(user)
    return client


def test_pages_for_the_owner_the_operator_and_an_expert(
    client, centre, uni_admin, operator, reviewers, university
):
    owner = _login(client, uni_admin)
    page = owner.get(reverse("facilities:recognitions"))
    assert page.status_code == 200 and "可申报认定的试点平台" in page.content.decode()
    bad = owner.post(reverse("facilities:recognition_apply", args=[centre.pk]), {"statement": "短"})
    assert bad.status_code == 200 and "至少 20 个字" in bad.content.decode()
    done = owner.post(reverse("facilities:recognition_apply", args=[centre.pk]), {"statement": STATEMENT})
    r = Recognition.objects.unscoped().get()
    assert done.status_code == 302 and done["Location"] == reverse("facilities:recognition", args=[r.pk])
    assert "申报说明" in owner.get(done["Location"]).content.decode()
    forbidden = owner.post(
        reverse("facilities:recognition_action", args=[r.pk, "panel"]), {"criteria": CRITERIA}
    )
    assert forbidden.status_code == 403

    op = _login(client, operator)
    page = op.get(reverse("facilities:recognition", args=[r.pk]))
    assert "组建评审组" in page.content.decode()
    op.post(reverse("facilities:recognition_action", args=[r.pk, "panel"]), {"criteria": "服务能力 x"})
    assert not panels.panels_of(r).exists()
    op.post(reverse("facilities:recognition_action", args=[r.pk, "panel"]), {"criteria": CRITERIA})
    panel = rec.current_panel(r)
    assert panel is not None and panel.status == Panel.Status.FORMING
    insider = UserFactory()
    MembershipFactory(user=insider, organization=university, role=Role.MEMBER)
    inside = _expert("校内专家", OrganizationFactory(name="另一研究院"), user=insider)
    refused = op.post(
        reverse("facilities:recognition_action", args=[r.pk, "member"]), {"expert": inside.pk}, follow=True
    )
    assert "不能评审本单位的平台（不得自评）" in refused.content.decode()
    for e in reviewers:
        op.post(reverse("facilities:recognition_action", args=[r.pk, "member"]), {"expert": e.pk})
    op.post(reverse("facilities:recognition_action", args=[r.pk, "start"]))
    assert _reload(panel).status == Panel.Status.SCORING

    expert = _login(client, reviewers[0].user)
    assert "提交评分" in expert.get(reverse("facilities:recognition", args=[r.pk])).content.decode()
    first, second = panel.criteria.all()
    expert.post(
        reverse("facilities:recognition_action", args=[r.pk, "score"]),
        {f"score_{first.pk}": "88", f"score_{second.pk}": "77"},
    )
    mine = panels.own_scores(panels.reviewer_seat(reviewers[0].user, panel), r.pk)
    assert sorted(str(s.value) for s in mine.values()) == ["77.00", "88.00"]
    assert expert.get(reverse("facilities:recognitions")).status_code == 200
    assert expert.post(reverse("facilities:recognition_action", args=[r.pk, "nonsense"])).status_code == 404


def _recognised(centre, uni_admin, operator, reviewers):
    """The centre through the whole recognition path: applied, reviewed, decided, published, concluded."""
    first = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    _reviewed(first, operator, reviewers)
    first = rec.recognition_decide(
        recognition=_reload(first), acting_user=operator, passed=True, reason="同意认定。"
    )
    rec.recognition_conclude(recognition=_end_publicity(first), acting_user=operator)
    centre = _reload(centre)
    assert centre.status == Facility.Status.RECOGNISED
    return centre


def test_a_recognised_facility_is_revoked_only_through_a_periodic_evaluation(
    client, centre, uni_admin, operator, reviewers
):
    from techmarket.facilities import services

    client.force_login(operator)
    trial_page = client.get(reverse("facilities:detail", args=[centre.pk])).content.decode()
    assert reverse("facilities:action", args=[centre.pk, "end_trial"]) in trial_page  # 终止试点: direct
    assert reverse("facilities:action", args=[centre.pk, "recognise"]) not in trial_page
    centre = _recognised(centre, uni_admin, operator, reviewers)
    with pytest.raises(ValidationError, match="撤销须经周期评价") as exc:
        services.facility_move(facility=centre, action="revoke", acting_user=operator, reason="群众举报")
    assert "发起定期评价" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="不能执行“终止试点”"):
        services.facility_move(facility=centre, action="end_trial", acting_user=operator, reason="群众举报")
    page = client.get(reverse("facilities:detail", args=[centre.pk])).content.decode()
    assert reverse("facilities:action", args=[centre.pk, "revoke"]) not in page
    assert (
        "撤销认定须经周期评价" in page
        and reverse("facilities:recognition_evaluate", args=[centre.pk]) in page
    )
    refused = client.post(
        reverse("facilities:action", args=[centre.pk, "revoke"]),
        {"reason": "群众举报", "expected_state": "recognised"},
        follow=True,
    )
    assert "已认定的平台不能直接撤销：撤销须经周期评价" in refused.content.decode()
    centre = _reload(centre)
    assert centre.status == Facility.Status.RECOGNISED and centre.revoked_at is None
    assert not AuditLog.objects.filter(action="facilities.facility.revoke").exists()
    # a passed evaluation does not open the way either: only a failed one, concluded, revokes
    ev = rec.recognition_evaluate(
        facility=centre,
        acting_user=operator,
        period="2026 年度",
        statement="年度运行评价：服务量与开放共享。",
    )
    _reviewed(ev, operator, reviewers)
    ev = rec.recognition_decide(
        recognition=_reload(ev), acting_user=operator, passed=True, reason="运行良好。"
    )
    rec.recognition_conclude(recognition=_end_publicity(ev), acting_user=operator)
    with pytest.raises(ValidationError, match="撤销须经周期评价"):
        services.facility_move(facility=_reload(centre), action="revoke", acting_user=operator, reason="举报")
    assert _reload(centre).status == Facility.Status.RECOGNISED


def test_recognition_panels_have_their_own_purpose_and_read_right_for_the_reviewer(
    client, centre, uni_admin, operator, reviewers
):
    r = rec.recognition_apply(facility=centre, acting_user=uni_admin, statement=STATEMENT)
    panel = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria=CRITERIA)
    assert panel.purpose == Panel.Purpose.RECOGNITION and panel.get_purpose_display() == "认定评审"
    for e in reviewers:
        rec.recognition_add_member(panel=panel, expert=e, acting_user=operator)
    panels.panel_start_scoring(panel=panel, acting_user=operator)
    client.force_login(reviewers[0].user)
    tasks = client.get(reverse("challenges:reviews")).content.decode()
    assert "认定评审" in tasks and "遴选评审" not in tasks
    assert f"{centre.name}（认定申报）" in tasks
    assert reverse("facilities:recognition", args=[r.pk]) in tasks
    assert reverse("challenges:review", args=[r.pk]) not in tasks  # not a challenge application's page
    detail = client.get(reverse("facilities:recognition", args=[r.pk])).content.decode()
    assert "认定评审" in detail and "遴选评审" not in detail

    centre = _reload(centre)
    Facility.objects.unscoped().filter(pk=centre.pk).update(status=Facility.Status.RECOGNISED)
    Recognition.objects.unscoped().filter(pk=r.pk).update(status=Recognition.Status.PASSED)
    ev = rec.recognition_evaluate(
        facility=_reload(centre), acting_user=operator, period="2026 年度", statement="年度运行评价：服务量。"
    )
    ev_panel = rec.recognition_panel_create(recognition=ev, acting_user=operator, criteria=CRITERIA)
    assert ev_panel.purpose == Panel.Purpose.EVALUATION and ev_panel.get_purpose_display() == "定期评价评审"
    assert rec.current_panel(ev) == ev_panel and rec.current_panel(r) == panel
