"""Registration: capacity and waiting list, approval, deadline, cancellation, what may be brought."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import UserFactory

from techmarket.audit.models import AuditLog
from techmarket.events import services
from techmarket.events.models import Event, Registration

R = Registration.Status
pytestmark = pytest.mark.django_db


def test_registration_is_confirmed_until_full_then_waitlisted(make_event, join):
    event = make_event(capacity=2)
    first, second, third = join(event), join(event), join(event)
    assert [first.status, second.status, third.status] == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED]


def test_cancelling_moves_the_first_waitlisted_up(make_event, join):
    event = make_event(capacity=1)
    first = join(event)
    waiting_a, waiting_b = join(event), join(event)
    services.registration_cancel(registration=first, acting_user=first.user)
    waiting_a.refresh_from_db()
    waiting_b.refresh_from_db()
    assert (waiting_a.status, waiting_b.status) == (R.CONFIRMED, R.WAITLISTED)
    assert AuditLog.objects.filter(action="events.registration.promote", actor__isnull=True).count() == 1


def test_restricted_event_needs_the_organisers_approval(make_event, join, organiser):
    event = make_event(requires_approval=True)
    reg = join(event)
    assert reg.status == R.PENDING
    with pytest.raises(PermissionDenied):
        services.registration_decide(registration=reg, acting_user=UserFactory(), approve=True)
    with pytest.raises(ValidationError) as exc:
        services.registration_decide(registration=reg, acting_user=organiser, approve=False)
    assert "原因" in str(exc.value)
    services.registration_decide(registration=reg, acting_user=organiser, approve=True)
    reg.refresh_from_db()
    assert reg.status == R.CONFIRMED and reg.decided_at is not None


def test_registration_after_the_deadline_is_refused_and_nothing_saved(make_event, join):
    event = make_event()
    with pytest.raises(ValidationError) as exc:
        join(event, now=event.registration_deadline + timedelta(minutes=1))
    assert "截止" in exc.value.messages[0]
    assert Registration.objects.unscoped().filter(event=event).count() == 0


def test_registering_twice_is_refused(event, join):
    reg = join(event)
    with pytest.raises(ValidationError, match="已报名"):
        join(event, user=reg.user)


def test_draft_event_takes_no_registration(organiser, organiser_org, join):
    start = timezone.now() + timedelta(days=3)
    draft = services.event_create(
        acting_user=organiser, organiser=organiser_org,
        data={"title": "草稿活动一场", "kind": Event.Kind.SALON, "summary": "十个字以上的活动简介内容",
              "starts_at": start, "ends_at": start + timedelta(hours=2),
              "registration_deadline": start, "capacity": 5},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不接受报名"):
        join(draft)


def test_participant_brings_own_published_need_only(
    event, join, enterprise_user, enterprise, need, achievement
):
    reg = join(event, user=enterprise_user, organization=enterprise, need_ids=[need.pk])
    assert list(reg.needs.all()) == [need]
    with pytest.raises(ValidationError) as exc:  # the university's achievement is not theirs to bring
        join(event, user=UserFactory(), organization=None, achievement_ids=[achievement.pk])
    assert "机构" in str(exc.value)


def test_cannot_register_for_an_organisation_one_is_not_member_of(event, join, university):
    with pytest.raises(ValidationError, match="不是该机构的成员"):
        join(event, organization=university)


def test_event_dates_out_of_order_are_refused_with_the_field_named(organiser, organiser_org):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            acting_user=organiser, organiser=organiser_org,
            data={"title": "时间错误的活动", "kind": Event.Kind.SALON, "summary": "十个字以上的活动简介内容",
                  "starts_at": start, "ends_at": start - timedelta(hours=2),
                  "registration_deadline": start, "capacity": 5},
        )  # fmt: skip
    assert "ends_at" in exc.value.message_dict
    assert Event.objects.unscoped().count() == 0


def test_only_admins_of_approved_organisations_create_events(organiser_org):
    with pytest.raises(PermissionDenied):
        services.event_create(acting_user=UserFactory(), organiser=organiser_org, data={})
