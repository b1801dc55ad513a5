"""The JSON API of 组阁 invitations, funding payments and the acceptance panel (验收): the same selectors and
services as the pages, so the same people are allowed and refused, with Chinese messages."""

from datetime import date
from decimal import Decimal

from challenge_helpers import application_data, expert, login, reload
from django.test import Client
from factories import UserFactory
from test_challenges_assembly import assembled_world
from test_challenges_funding import accept, awarded  # noqa: F401  (fixture)

from techmarket.audit.models import AuditLog
from techmarket.challenges import assembly
from techmarket.challenges.models import Challenge, Payment, Score, TeamInvitation

JSON = "application/json"


def post(client, url, body):
    return client.post(url, body, content_type=JSON)


def message(response):
    return response.json()["error"]["message"]


# --- 组阁制 invitations ----------------------------------------------------------------------------


def test_invitations_are_listed_for_the_invited_expert_and_operators_only(world):
    w = world
    challenge, _code = assembled_world(w)
    inv_a = assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    assembly.team_invite(challenge=challenge, expert=w.lead_b, acting_user=w.operator)

    mine = login(w.team_a_user).get("/api/challenges/invitations").json()
    assert mine["count"] == 1
    item = mine["items"][0]
    assert item["id"] == inv_a.pk and item["challenge_title"] == challenge.title
    assert item["status"] == "pending" and item["expert_name"] == w.lead_a.name
    assert login(w.enterprise_admin).get("/api/challenges/invitations").json()["count"] == 0
    assert Client().get("/api/challenges/invitations").status_code == 401

    url = f"/api/challenges/{challenge.pk}/invitations"
    assert login(w.operator).get(url).json()["count"] == 2
    assert [i["id"] for i in login(w.team_a_user).get(url).json()["items"]] == [inv_a.pk]
    assert login(w.enterprise_admin).get(url).json()["count"] == 0


def test_the_invited_expert_accepts_or_declines_and_nobody_else_answers(world):
    w = world
    challenge, _code = assembled_world(w)
    inv_a = assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    inv_b = assembly.team_invite(challenge=challenge, expert=w.lead_b, acting_user=w.operator)
    url = f"/api/challenges/invitations/{inv_a.pk}/answer"

    # refused: another expert, the operator (not theirs to answer), anonymous
    assert post(login(w.team_b_user), url, {"accept": True}).status_code == 404
    assert post(login(w.operator), url, {"accept": True}).status_code == 404
    assert post(Client(), url, {"accept": True}).status_code == 401
    # bad input
    missing = post(login(w.team_a_user), url, {"reason": "好"})
    assert missing.status_code == 422 and "accept" in missing.json()["error"]["fields"]
    too_long = post(login(w.team_a_user), url, {"accept": True, "reason": "长" * 501})
    assert too_long.status_code == 422 and "reason" in too_long.json()["error"]["fields"]
    assert reload(inv_a).status == "pending"
    assert not AuditLog.objects.filter(action="challenges.team_invitation.accept").exists()

    ok = post(login(w.team_a_user), url, {"accept": True})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert reload(inv_a).decided_by == w.team_a_user
    assert AuditLog.objects.filter(action="challenges.team_invitation.accept", actor=w.team_a_user).exists()
    declined = post(
        login(w.team_b_user),
        f"/api/challenges/invitations/{inv_b.pk}/answer",
        {"accept": False, "reason": "本年度任务已满"},
    )
    assert declined.status_code == 200 and declined.json()["decision_note"] == "本年度任务已满"
    assert AuditLog.objects.filter(action="challenges.team_invitation.decline", actor=w.team_b_user).exists()
    # answered once: a second answer is refused and changes nothing
    again = post(login(w.team_a_user), url, {"accept": False})
    assert again.status_code in (403, 422) and message(again)
    assert reload(inv_a).status == "approved"
    assert [e.pk for e in assembly.accepted_experts(challenge)] == [w.lead_a.pk]


def test_operators_propose_invite_withdraw_and_assemble_through_the_api(world, settings):
    settings.CHALLENGE_PUBLICITY_WORKING_DAYS = 0
    w = world
    challenge, code = assembled_world(w)
    own = expert(w.enterprise, "企业工程师", user=UserFactory())
    own.industries.add(code)
    base = f"/api/challenges/{challenge.pk}"
    op = login(w.operator)
    assert op.get(base).json()["outcomes"] is None  # published only once accepted (验收)

    # candidates: the operator's list, with the reasons; nobody else gets it
    body = op.get(f"{base}/team/candidates").json()
    assert {w.lead_a.pk, w.member_a.pk, w.lead_b.pk} <= {c["expert_id"] for c in body["proposed"]}
    assert all("研究领域与榜单所属行业相同" in c["why"] for c in body["proposed"])
    excluded = {c["name"]: c["conflicts"] for c in body["excluded"]}
    assert excluded["企业工程师"] == ["与发榜企业临沂精工不锈钢有限公司为同一单位"]
    for who in (w.enterprise_admin, w.team_a_user):
        refused = login(who).get(f"{base}/team/candidates")
        assert refused.status_code == 403 and "只有平台运营或科技局可以组阁" in message(refused)
    assert op.get(f"/api/challenges/{w.challenge.pk}/team/candidates").status_code == 404  # open call

    # invite: refused for a conflict and for non-operators, nothing saved; then accepted by the expert
    conflict = post(op, f"{base}/invitations", {"expert_id": own.pk})
    assert conflict.status_code in (400, 422) and "同一单位" in message(conflict)
    assert (
        post(login(w.enterprise_admin), f"{base}/invitations", {"expert_id": w.lead_a.pk}).status_code == 403
    )
    assert not TeamInvitation.objects.unscoped().exists()
    ids = {}
    for e in (w.lead_a, w.member_a, w.lead_b):
        made = post(op, f"{base}/invitations", {"expert_id": e.pk, "message": "诚邀加入"})
        assert made.status_code == 201 and made.json()["status"] == "pending"
        ids[e.pk] = made.json()["id"]
    again = post(op, f"{base}/invitations", {"expert_id": w.lead_a.pk})
    assert again.status_code in (400, 422) and "已邀请过" in message(again)
    for e, user in ((w.lead_a, w.team_a_user), (w.member_a, w.member_a_user)):
        answer = post(login(user), f"/api/challenges/invitations/{ids[e.pk]}/answer", {"accept": True})
        assert answer.status_code == 200

    # withdraw: the operator only
    url = f"{base}/invitations/{ids[w.lead_b.pk]}/withdraw"
    assert post(login(w.team_b_user), url, {}).status_code == 403
    withdrawn = post(op, url, {})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert AuditLog.objects.filter(action="challenges.team_invitation.withdraw", actor=w.operator).exists()

    # assemble: only experts who accepted; then the challenge goes to 公示
    team = {
        "lead_expert_id": w.lead_a.pk,
        "member_ids": [w.lead_b.pk],
        "reason": "组阁",
        **application_data(),
    }
    refused = post(op, f"{base}/team", team)
    assert refused.status_code in (400, 422) and w.lead_b.name in message(refused)
    assert reload(challenge).status == Challenge.Status.OPEN
    team["member_ids"] = [w.member_a.pk]
    done = post(op, f"{base}/team", team)
    assert done.status_code == 201, done.content
    assert reload(challenge).status == Challenge.Status.PUBLICITY
    assert reload(challenge).proposed_application_id == done.json()["id"]
    assert AuditLog.objects.filter(action="challenges.application.assemble", actor=w.operator).exists()


def test_an_invitation_is_not_answered_once_the_challenge_left_assembly(world):
    w = world
    challenge, _code = assembled_world(w)
    inv = assembly.team_invite(challenge=challenge, expert=w.lead_a, acting_user=w.operator)
    Challenge.objects.unscoped().filter(pk=challenge.pk).update(status=Challenge.Status.REVIEWING)
    response = post(login(w.team_a_user), f"/api/challenges/invitations/{inv.pk}/answer", {"accept": True})
    assert response.status_code == 422 and "组阁已结束" in message(response)
    assert TeamInvitation.objects.unscoped().get(pk=inv.pk).status == "pending"


# --- funding tranches and payments -----------------------------------------------------------------


def test_payments_are_read_by_the_team_the_enterprise_and_operators_only(awarded):  # noqa: F811
    w = awarded
    m1 = accept(w, w.milestones[0])
    url = f"/api/challenges/applications/{w.application.pk}/payments"
    team = login(w.team_a_user).get(url)
    assert team.status_code == 200
    body = team.json()
    assert [m["id"] for m in body["milestones"]] == [m.pk for m in w.milestones]
    assert body["milestones"][0]["status"] == "accepted" and body["may_record"] == []
    assert Decimal(body["summary"]["released"]) == Decimal("600000")
    assert login(w.enterprise_admin).get(url).json()["may_record"] == ["enterprise"]
    assert login(w.operator).get(url).json()["may_record"] == ["enterprise", "government"]
    # a reviewer reads the application (they scored it) but not its funding
    reviewer = login(w.reviewer_users[0]).get(url)
    assert reviewer.status_code == 403 and "经费拨付" in message(reviewer)
    assert login(w.team_b_user).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    # per challenge: the winning team's funding, refused to the public
    by_challenge = login(w.enterprise_admin).get(f"/api/challenges/{w.challenge.pk}/payments")
    assert by_challenge.status_code == 200 and by_challenge.json()["application_id"] == w.application.pk
    assert login(w.team_b_user).get(f"/api/challenges/{w.challenge.pk}/payments").status_code == 404
    assert m1.status == "accepted"


def test_recording_a_payment_through_the_service_with_its_rules_and_audit(awarded):  # noqa: F811
    w = awarded
    m1 = accept(w, w.milestones[0])
    url = f"/api/challenges/milestones/{m1.pk}/payments"
    today = date.today().isoformat()
    ok = post(login(w.enterprise_admin), url, {"amount": "250,000", "paid_on": today, "source": "enterprise"})
    assert ok.status_code == 201, ok.content
    assert Decimal(ok.json()["amount"]) == Decimal("250000") and ok.json()["source_label"] == "企业出资"
    assert AuditLog.objects.filter(action="challenges.payment.record", actor=w.enterprise_admin).count() == 1
    listed = login(w.team_a_user).get(f"/api/challenges/{w.challenge.pk}/payments").json()
    assert Decimal(listed["milestones"][0]["paid"]) == Decimal("250000")
    assert [p["id"] for p in listed["milestones"][0]["payments"]] == [Payment.objects.get().pk]
    assert Decimal(listed["summary"]["paid"]) == Decimal("250000")

    # refused users: the enterprise for the government share, the team, another team, the public
    gov = post(login(w.enterprise_admin), url, {"amount": "1", "paid_on": today, "source": "government"})
    assert gov.status_code == 403 and "企业出资部分" in message(gov)
    assert (
        post(login(w.team_a_user), url, {"amount": "1", "paid_on": today, "source": "enterprise"}).status_code
        == 403
    )
    assert (
        post(login(w.team_b_user), url, {"amount": "1", "paid_on": today, "source": "enterprise"}).status_code
        == 404
    )
    assert post(Client(), url, {"amount": "1", "paid_on": today, "source": "enterprise"}).status_code == 401
    assert (
        post(
            login(w.operator),
            "/api/challenges/milestones/999999/payments",
            {"amount": "1", "paid_on": today, "source": "enterprise"},
        ).status_code
        == 404
    )

    # bad input, each with its message and nothing saved
    operator = login(w.operator)
    for body, field, text in (
        ({"amount": "1", "paid_on": "2025/01/01", "source": "enterprise"}, "paid_on", "YYYY-MM-DD"),
        ({"amount": "abc", "paid_on": today, "source": "enterprise"}, "amount", "数字"),
        ({"amount": "0", "paid_on": today, "source": "enterprise"}, "amount", "大于 0"),
        ({"amount": "1.234", "paid_on": today, "source": "enterprise"}, "amount", "两位小数"),
        ({"amount": "400000", "paid_on": today, "source": "enterprise"}, "amount", "超出该里程碑的拨付额度"),
        ({"amount": "1", "paid_on": today, "source": "bank"}, "source", "资金来源"),
    ):
        response = post(operator, url, body)
        assert response.status_code == 422, (body, response.content)
        assert text in message(response) and field in response.json()["error"]["fields"]
    not_accepted = post(
        operator,
        f"/api/challenges/milestones/{w.milestones[1].pk}/payments",
        {"amount": "1", "paid_on": today, "source": "government"},
    )
    assert not_accepted.status_code == 422 and "验收通过后" in message(not_accepted)
    assert post(operator, url, {"paid_on": today, "source": "enterprise"}).status_code == 422
    assert Payment.objects.count() == 1
    assert AuditLog.objects.filter(action="challenges.payment.record").count() == 1


def test_a_challenge_without_a_winner_has_no_payments(world):
    response = login(world.operator).get(f"/api/challenges/{world.challenge.pk}/payments")
    assert response.status_code == 404 and message(response)


# --- 验收: the acceptance panel --------------------------------------------------------------------


def test_acceptance_panel_formed_scored_and_decided_through_the_api(awarded):  # noqa: F811
    w = awarded
    for m in w.milestones:
        accept(w, m)
    base = f"/api/challenges/{w.challenge.pk}/acceptance"
    operator = login(w.operator)
    assert operator.get(base).json()["panel"] is None
    refused = login(w.enterprise_admin).get(base)
    assert refused.status_code == 403 and "验收评审" in message(refused)
    assert Client().get(base).status_code == 401

    # forming: operators only, bad steps refused
    assert post(login(w.enterprise_admin), f"{base}/steps", {"step": "create"}).status_code == 403
    early = post(operator, f"{base}/steps", {"step": "start"})
    assert early.status_code == 422 and "请先组建验收评审组" in message(early)
    created = post(operator, f"{base}/steps", {"step": "create"})
    assert created.status_code == 200 and created.json()["panel"]["status"] == "forming"
    assert [c["name"] for c in created.json()["panel"]["criteria"]] == [
        "目标指标完成情况",
        "交付成果质量",
        "经费使用规范性",
    ]
    assert post(operator, f"{base}/steps", {"step": "create"}).status_code == 422  # one panel only
    bogus = post(operator, f"{base}/steps", {"step": "bogus"})
    assert bogus.status_code == 422 and "step" in bogus.json()["error"]["fields"]
    colleague = expert(w.uni_a, "同校评审专家", user=UserFactory(), panel=True)
    conflicted = post(operator, f"{base}/steps", {"step": "add", "expert_id": colleague.pk})
    assert (
        conflicted.status_code == 422
        and "需要回避" in message(conflicted)
        and "临沂大学" in message(conflicted)
    )
    no_expert = post(operator, f"{base}/steps", {"step": "add"})
    assert no_expert.status_code == 422 and "expert_id" in no_expert.json()["error"]["fields"]
    assert post(operator, f"{base}/steps", {"step": "add", "expert_id": 999999}).status_code == 422
    for r in w.reviewers[1:4]:
        assert post(operator, f"{base}/steps", {"step": "add", "expert_id": r.pk}).status_code == 200
    scoring = post(operator, f"{base}/steps", {"step": "start"})
    assert scoring.json()["panel"]["status"] == "scoring"
    assert [m["name"] for m in scoring.json()["members"]] == [r.name for r in w.reviewers[1:4]]
    assert scoring.json()["missing_scores"] == 3
    panel_id = scoring.json()["panel"]["id"]
    criteria = [c["id"] for c in scoring.json()["panel"]["criteria"]]

    # a reviewer sees their task, not the members nor the results
    seen = login(w.reviewer_users[1]).get(base).json()
    assert seen["members"] is None and seen["results"] is None and seen["missing_scores"] is None
    assert [(e["application_id"], e["scored"], e["conflicts"]) for e in seen["entries"]] == [
        (w.application.pk, False, [])
    ]
    # scoring: out of the scale, then once, then never twice; not by someone off the panel
    judge = login(w.reviewer_users[1])
    bad = post(judge, f"{base}/scores", {"scores": {str(c): 101 for c in criteria}})
    assert bad.status_code == 422 and "超出范围" in message(bad)
    assert not Score.objects.filter(member__panel_id=panel_id).exists()
    ok = post(
        judge, f"{base}/scores", {"scores": {str(c): v for c, v in zip(criteria, (90, 80, 70), strict=True)}}
    )
    assert ok.status_code == 201 and ok.json() == {"entry": w.application.pk, "criteria": 3}
    twice = post(judge, f"{base}/scores", {"scores": {str(c): 60 for c in criteria}})
    assert twice.status_code == 422 and "不能重复" in message(twice)
    outsider = post(login(w.reviewer_users[0]), f"{base}/scores", {"scores": {str(c): 60 for c in criteria}})
    assert outsider.status_code == 403 and "不是该评审组的评审专家" in message(outsider)
    assert login(w.enterprise_admin).get(base).status_code == 403
    scored = AuditLog.objects.filter(
        action="challenges.panel.score", actor=w.reviewer_users[1], target_id=str(panel_id)
    )
    assert scored.count() == 1 and scored.get().after["entry"] == w.application.pk
    mine = login(w.reviewer_users[1]).get(base).json()["entries"][0]
    assert mine["scored"] and [s["value"] for s in mine["my_scores"]] == ["90.00", "80.00", "70.00"]
    other = login(w.reviewer_users[2]).get(base).json()["entries"][0]
    assert not other["scored"] and other["my_scores"] == []  # blind: never another reviewer's scores

    # the operator decides only after the panel closed
    decision = {"reason": "各项指标达标，同意通过验收。", "outcome_patents": 2, "outcome_revenue": "5000000"}
    early = post(operator, f"{base}/decision", decision)
    assert early.status_code == 422 and "评审结束后" in message(early)
    assert post(operator, f"{base}/steps", {"step": "close"}).status_code == 422  # two scores missing
    for user, vals in ((w.reviewer_users[2], (80, 80, 80)), (w.reviewer_users[3], (70, 90, 60))):
        scores = {str(c): v for c, v in zip(criteria, vals, strict=True)}
        assert post(login(user), f"{base}/scores", {"scores": scores}).status_code == 201
    closed = post(operator, f"{base}/steps", {"step": "close"}).json()
    # weights 50/30/20: 83, 80, 74 -> 79
    assert [(r["application_id"], r["score"], r["reviewers"]) for r in closed["results"]] == [
        (w.application.pk, "79.00", 3)
    ]
    assert login(w.reviewer_users[1]).get(base).json()["results"] is None

    refused = post(login(w.enterprise_admin), f"{base}/decision", decision)
    assert refused.status_code == 403 and "只有平台运营或科技局" in message(refused)
    blank = post(operator, f"{base}/decision", {**decision, "reason": " "})
    assert blank.status_code == 422 and "理由" in message(blank)
    negative = post(operator, f"{base}/decision", {**decision, "outcome_jobs": -1})
    assert negative.status_code == 422 and "负数" in message(negative)
    assert post(operator, f"{base}/decision", {"outcome_jobs": 1}).status_code == 422  # no reason at all
    assert reload(w.challenge).status == Challenge.Status.AWARDED
    assert not AuditLog.objects.filter(action="challenges.challenge.complete").exists()

    done = post(operator, f"{base}/decision", decision)
    assert done.status_code == 200, done.content
    assert done.json()["challenge_status"] == "completed" and done.json()["acceptance_score"] == "79.00"
    challenge = reload(w.challenge)
    assert challenge.outcome_patents == 2 and challenge.outcome_revenue == Decimal("5000000")
    assert challenge.status_note == "各项指标达标，同意通过验收。"
    assert AuditLog.objects.filter(action="challenges.challenge.complete", actor=w.operator).count() == 1
    assert post(operator, f"{base}/decision", decision).status_code in (403, 422)  # decided once
