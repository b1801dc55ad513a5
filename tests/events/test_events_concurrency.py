"""Two meetings with the same participant are seated at the same moment (PostgreSQL): both read the
timetable before either writes, yet nobody ends up in two meetings of one slot.

Accepting through ``meeting_decide`` is already serialised by the audit chain's lock, so the seating step
(``_place``, shared by accepting and by ``event_schedule``) is raced directly: the unique seat constraint is
what guards it."""

import threading

import pytest
from django.db import connection, connections, transaction
from factories import UserFactory

from techmarket.events import services
from techmarket.events.models import MeetingRequest, MeetingSeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Earlier transactional tests flush the database, migration data included: load the regions again."""
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_accepts_never_double_book_a_participant(make_event, monkeypatch):
    event = make_event(meeting_slots=3, meeting_tables=3)
    hub, b, c = (services.registration_open(event=event, acting_user=UserFactory()) for _i in range(3))
    asks = [services.meeting_request(event=event, acting_user=hub.user, invitee=x) for x in (b, c)]
    both_read = threading.Barrier(2, timeout=10)
    original = MeetingSeat.objects.bulk_create
    first_try: set[int] = set()

    def bulk_create_after_both_read(objs, *args, **kwargs):  # type: ignore[no-untyped-def]
        ident = threading.get_ident()
        if ident not in first_try:  # only the first attempt of each thread waits for the other
            first_try.add(ident)
            both_read.wait()
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(MeetingSeat.objects, "bulk_create", bulk_create_after_both_read)
    errors: list[BaseException] = []

    MeetingRequest.objects.filter(pk__in=[m.pk for m in asks]).update(status=MeetingRequest.Status.ACCEPTED)

    def accept(meeting_pk: int) -> None:
        try:
            meeting = MeetingRequest.objects.select_related("event").get(pk=meeting_pk)
            with transaction.atomic():
                assert services._place(meeting)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(m.pk,)) for m in asks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    slots = sorted(MeetingRequest.objects.filter(pk__in=[m.pk for m in asks]).values_list("slot", flat=True))
    assert slots == [0, 1]  # both placed, the hub in two different slots
    hub_slots = list(MeetingSeat.objects.filter(registration=hub).values_list("slot", flat=True))
    assert sorted(hub_slots) == [0, 1]
