"""One-to-one meetings: requests both ways, refusals, the timetable without double booking, contact details."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import UserFactory

from techmarket.events import selectors, services
from techmarket.events.models import MeetingRequest, MeetingSeat, Registration

M = MeetingRequest.Status
pytestmark = pytest.mark.django_db


def _ask(event, a, b, message="想了解液冷板工艺"):
    return services.meeting_request(event=event, acting_user=a.user, invitee=b, message=message)


def _accept(meeting):
    return services.meeting_decide(meeting=meeting, acting_user=meeting.invitee.user, accept=True)


def test_accepted_meeting_gets_the_first_free_slot_and_a_table(event, join):
    a, b = join(event), join(event)
    meeting = _accept(_ask(event, a, b))
    assert (meeting.status, meeting.slot, meeting.table) == (M.ACCEPTED, 0, 1)
    assert sorted(MeetingSeat.objects.values_list("registration_id", "slot")) == sorted(
        [(a.pk, 0), (b.pk, 0)]
    )


def test_nobody_sits_in_two_meetings_at_once_and_tables_are_not_double_booked(make_event, join):
    event = make_event(meeting_slots=3, meeting_tables=2)
    hub = join(event)
    others = [join(event) for _i in range(5)]
    for other in others:
        _accept(_ask(event, other, hub))
    placed = MeetingRequest.objects.filter(event=event, slot__isnull=False)
    hub_slots = [m.slot for m in placed]
    assert len(hub_slots) == len(set(hub_slots)) == 3  # the hub has three slots, no more
    assert MeetingRequest.objects.filter(event=event, status=M.ACCEPTED, slot__isnull=True).count() == 2
    pairs = list(placed.values_list("slot", "table"))
    assert len(pairs) == len(set(pairs))


def test_tables_run_out_before_people_do(make_event, join):
    event = make_event(meeting_slots=1, meeting_tables=1)
    a, b, c, d = (join(event) for _i in range(4))
    first = _accept(_ask(event, a, b))
    second = _accept(_ask(event, c, d))
    assert first.slot == 0 and second.slot is None


def test_scheduler_is_fair_when_slots_are_scarce(make_event, join, organiser):
    """With one table-slot left, the pair without any meeting gets it, not the earlier request of a busy one."""
    event = make_event(meeting_slots=2, meeting_tables=1)
    busy, quiet, x, y = join(event), join(event), join(event), join(event)
    _accept(_ask(event, busy, join(event)))  # slot 0, the only table
    m1 = _ask(event, busy, x)  # asked first
    m2 = _ask(event, quiet, y)
    MeetingRequest.objects.filter(pk__in=[m1.pk, m2.pk]).update(status=M.ACCEPTED)  # accepted offline
    result = services.event_schedule(event=event, acting_user=organiser)
    assert result == {"placed": 1, "unplaced": 1}
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert (m2.slot, m1.slot) == (1, None)


def test_scheduler_is_deterministic(make_event, join, organiser):
    def run():
        event = make_event(meeting_slots=2, meeting_tables=1)
        regs = [join(event) for _i in range(4)]
        ms = [_ask(event, regs[0], regs[1]), _ask(event, regs[2], regs[3]), _ask(event, regs[1], regs[2])]
        MeetingRequest.objects.filter(pk__in=[m.pk for m in ms]).update(status=M.ACCEPTED)
        services.event_schedule(event=event, acting_user=organiser)
        return [MeetingRequest.objects.get(pk=m.pk).slot for m in ms]

    assert run() == run() == [0, 1, None]


def test_meeting_with_oneself_is_refused(event, join):
    a = join(event)
    with pytest.raises(ValidationError, match="自己"):
        _ask(event, a, a)


def test_meeting_with_someone_of_another_event_is_refused(make_event, join):
    event, other = make_event(), make_event(title="另一场对接会活动")
    a, stranger = join(event), join(other)
    with pytest.raises(ValidationError, match="不是本活动的参会者"):
        _ask(event, a, stranger)
    assert not MeetingRequest.objects.exists()


def test_outsiders_cannot_request_meetings(event, join):
    b = join(event)
    with pytest.raises(ValidationError, match="已确认参会"):
        services.meeting_request(event=event, acting_user=UserFactory(), invitee=b)


def test_second_open_request_between_the_same_pair_is_refused_either_way(event, join):
    a, b = join(event), join(event)
    _ask(event, a, b)
    with pytest.raises(ValidationError, match="已有"):
        _ask(event, b, a)


def test_decline_needs_a_reason_the_requester_sees(event, join):
    a, b = join(event), join(event)
    meeting = _ask(event, a, b)
    with pytest.raises(ValidationError):
        services.meeting_decide(meeting=meeting, acting_user=b.user, accept=False)
    services.meeting_decide(meeting=meeting, acting_user=b.user, accept=False, reason="时间冲突，会后联系")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.decision_note) == (M.DECLINED, "时间冲突，会后联系")


def test_only_the_invitee_decides(event, join):
    a, b = join(event), join(event)
    meeting = _ask(event, a, b)
    with pytest.raises(PermissionDenied):
        services.meeting_decide(meeting=meeting, acting_user=a.user, accept=True)


def test_contact_details_only_after_an_accepted_meeting(event, join, organiser):
    a, b, c = join(event), join(event), join(event)
    meeting = _ask(event, a, b)
    assert not selectors.can_see_contact(a.user, b)
    _accept(meeting)
    assert selectors.can_see_contact(a.user, b) and selectors.can_see_contact(b.user, a)
    assert not selectors.can_see_contact(c.user, a)
    assert selectors.can_see_contact(organiser, c)


def test_who_comes_respects_visibility(event, join):
    listed = join(event)
    hidden = join(event, visibility=Registration.Visibility.ORGANISER)
    viewer = join(event)
    seen = set(selectors.participants_visible_to(viewer.user, event).values_list("pk", flat=True))
    assert listed.pk in seen and viewer.pk in seen and hidden.pk not in seen
    assert not selectors.participants_visible_to(UserFactory(), event).exists()


def test_cancelling_frees_the_seats_and_withdraws_open_meetings_as_workflow_moves(
    event, join, django_capture_on_commit_callbacks
):
    from techmarket.audit.models import AuditLog
    from techmarket.notifications.models import Notification

    a, b, c = join(event), join(event), join(event)
    meeting = _accept(_ask(event, a, b))
    pending = _ask(event, c, a)
    declined = services.meeting_decide(
        meeting=_ask(event, b, c), acting_user=c.user, accept=False, reason="时间冲突"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=a, acting_user=a.user)
    for m in (meeting, pending, declined):
        m.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.table) == (M.WITHDRAWN, None, None)
    assert (pending.status, declined.status) == (M.WITHDRAWN, M.DECLINED)  # a decided one stays as it was
    assert meeting.decision_note == f"{a.display_name} 已取消报名" and meeting.due_at is None
    assert not MeetingSeat.objects.exists()
    moves = AuditLog.objects.filter(action="events.meeting.withdraw_on_cancel").order_by("pk")
    assert [(r.target_id, r.before["status"], r.after["status"]) for r in moves] == [
        (str(meeting.pk), M.ACCEPTED, M.WITHDRAWN),
        (str(pending.pk), M.PENDING, M.WITHDRAWN),
    ]
    # the sides still coming are told; the one who cancelled is not
    told = Notification.objects.filter(title__contains="洽谈已取消")
    assert sorted(n.user_id for n in told) == sorted([b.user_id, c.user_id])


def test_both_sides_are_told_about_the_request_and_the_answer(
    event, join, django_capture_on_commit_callbacks
):
    from techmarket.notifications.models import Notification

    a, b = join(event), join(event)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _ask(event, a, b)
    assert Notification.objects.filter(user=b.user, title__contains="邀请您").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _accept(meeting)
    told = Notification.objects.get(user=a.user)
    assert "接受了您的洽谈邀请" in told.title and "第 1 桌" in told.title


def test_the_database_refuses_a_participant_in_two_meetings_of_one_slot(event, join):
    """The guard behind the scheduler: even a booking that skipped the free-slot check cannot double-book."""
    from django.db import IntegrityError, transaction

    a, b, c = join(event), join(event), join(event)
    first = _accept(_ask(event, a, b))
    second = _ask(event, a, c)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeat.objects.create(meeting=second, registration=a, slot=first.slot)


def test_invitation_suggestions_come_from_matching_and_invitations_are_sent_once(
    event, join, organiser, enterprise_user, enterprise, need, achievement, university, monkeypatch
):
    from factories import MembershipFactory, UserFactory

    from techmarket.events import suggestions as suggestion_module
    from techmarket.matching.selectors import Suggestion, Suggestions
    from techmarket.notifications.models import Notification
    from techmarket.orgs.models import Role

    reg = join(event, user=enterprise_user, organization=enterprise, need_ids=[need.pk])
    calls = []

    def fake(user, item, *, target, k):
        calls.append((item.pk, target))
        out = Suggestions()
        out.items.append(Suggestion(achievement, None, 1))
        return out

    monkeypatch.setattr(suggestion_module, "suggestions_for", fake)
    found = suggestion_module.invitation_suggestions(organiser, [reg], exclude={enterprise.pk})
    assert calls == [(need.pk, "achievements")]
    assert [s.organization for s in found] == [university]
    assert achievement.title in found[0].reason and need.title in found[0].reason
    admin = UserFactory()
    MembershipFactory(user=admin, organization=university, role=Role.ORG_ADMIN)
    assert (
        services.event_invite(
            event=event, acting_user=organiser, organization=university, reason=found[0].reason
        )
        == 1
    )
    assert (
        services.event_invite(
            event=event, acting_user=organiser, organization=university, reason=found[0].reason
        )
        == 0
    )
    assert Notification.objects.filter(user=admin, body=found[0].reason).count() == 1
    with pytest.raises(PermissionDenied):
        services.event_invite(event=event, acting_user=enterprise_user, organization=university, reason="x")


def test_meeting_suggestions_pair_what_we_bring(
    event, join, enterprise_user, enterprise, need, achievement, university_user, university, monkeypatch
):
    from techmarket.events import suggestions as suggestion_module
    from techmarket.matching.selectors import Suggestion, Suggestions

    mine = join(event, user=enterprise_user, organization=enterprise, need_ids=[need.pk])
    theirs = join(event, user=university_user, organization=university, achievement_ids=[achievement.pk])
    bystander = join(event)

    def fake(user, item, *, target, k):
        out = Suggestions()
        if target == "achievements":
            out.items.append(Suggestion(achievement, None, 1))
        return out

    monkeypatch.setattr(suggestion_module, "suggestions_for", fake)
    found = suggestion_module.meeting_suggestions(enterprise_user, mine, [mine, theirs, bystander])
    assert [(s.registration, s.mine, s.theirs) for s in found] == [(theirs, need, achievement)]


def test_the_organiser_sees_the_best_pairs_from_matching_and_proposes_one_to_both_sides(
    client, event, join, organiser, enterprise_user, enterprise, need, achievement, university_user, university,
    monkeypatch,
):  # fmt: skip
    from django.core import mail

    from techmarket.audit.models import AuditLog
    from techmarket.events import suggestions as suggestion_module
    from techmarket.matching.selectors import Suggestion, Suggestions
    from techmarket.notifications.models import Notification

    ent = join(event, user=enterprise_user, organization=enterprise, need_ids=[need.pk])
    uni = join(event, user=university_user, organization=university, achievement_ids=[achievement.pk])
    hidden = join(event, visibility=Registration.Visibility.ORGANISER)

    def fake(user, item, *, target, k):
        out = Suggestions()
        out.items.append(Suggestion(achievement if target == "achievements" else need, None, 1))
        return out

    monkeypatch.setattr(suggestion_module, "suggestions_for", fake)
    found = suggestion_module.pair_suggestions(organiser, [ent, uni], exclude_pairs=set())
    assert [(p.first, p.second, p.mine, p.theirs) for p in found] == [(ent, uni, need, achievement)]  # once
    assert need.title in found[0].reason and achievement.title in found[0].reason
    assert (
        suggestion_module.pair_suggestions(organiser, [ent, uni], exclude_pairs={frozenset((ent.pk, uni.pk))})
        == []
    )

    client.force_login(organiser)
    page = client.get(f"/events/{event.pk}/manage/").content.decode()
    assert "推荐配对" in page and f'value="{ent.pk}-{uni.pk}"' in page
    mail.outbox.clear()
    response = client.post(
        f"/events/{event.pk}/manage/", {"pair": f"{ent.pk}-{uni.pk}", "reason": found[0].reason}, follow=True
    )
    assert "已向双方推荐洽谈" in response.content.decode()
    assert {m.to[0] for m in mail.outbox} == {enterprise_user.email, university_user.email}
    notice = Notification.objects.get(user=enterprise_user, title__contains="建议您")
    assert uni.display_name in notice.title and notice.body == found[0].reason
    assert notice.url == f"/events/{event.pk}/participants/"
    assert AuditLog.objects.filter(action="events.event.propose_pair").count() == 1
    # Once per pair; a hidden participant, oneself, a pair already meeting and a participant are refused.
    assert (
        services.event_propose_pair(event=event, acting_user=organiser, first=uni, second=ent, reason="x")
        == 0
    )
    with pytest.raises(ValidationError, match="未公开"):
        services.event_propose_pair(event=event, acting_user=organiser, first=ent, second=hidden, reason="x")
    with pytest.raises(ValidationError, match="请写明推荐理由"):
        services.event_propose_pair(event=event, acting_user=organiser, first=ent, second=uni, reason=" ")
    with pytest.raises(PermissionDenied):
        services.event_propose_pair(
            event=event, acting_user=enterprise_user, first=ent, second=uni, reason="x"
        )
    _ask(event, ent, uni)
    with pytest.raises(ValidationError, match="已有待答复"):
        services.event_propose_pair(event=event, acting_user=organiser, first=ent, second=uni, reason="x")
    assert "推荐配对" not in client.get(f"/events/{event.pk}/manage/").content.decode()
    response = client.post(f"/events/{event.pk}/manage/", {"pair": "abc", "reason": "x"}, follow=True)
    assert "请选择要推荐洽谈的两位参会者" in response.content.decode()
