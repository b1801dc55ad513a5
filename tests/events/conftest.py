"""Fixtures of the events tests: an organiser, an enterprise with a need, a university with an achievement,
and a published event with four one-to-one meeting slots at two tables."""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.events import services
from techmarket.events.models import Event
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization, Role


@pytest.fixture
def organiser_org(db):
    return OrganizationFactory(name="临沂市科技成果转化服务中心", kind=Organization.Kind.SERVICE)


@pytest.fixture
def organiser(organiser_org):
    return make_org_admin(organiser_org)


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(name="临沂新能源汽车零部件有限公司")


@pytest.fixture
def enterprise_user(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role=Role.MEMBER)
    return user


@pytest.fixture
def university(db):
    return OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def university_user(university):
    user = UserFactory()
    MembershipFactory(user=user, organization=university, role=Role.MEMBER)
    return user


@pytest.fixture
def need(enterprise):
    return Need.objects.create(
        owner=enterprise, title="电池包热管理液冷板减重", summary="公开摘要", problem="难题",
        visibility=Visibility.PUBLIC, status=ListingStatus.PUBLISHED,
    )  # fmt: skip


@pytest.fixture
def achievement(university):
    return Achievement.objects.create(
        owner=university, title="铝合金液冷板真空钎焊工艺", summary="公开摘要", trl=6,
        visibility=Visibility.PUBLIC, status=ListingStatus.PUBLISHED,
    )  # fmt: skip


def _make_event(organiser, organiser_org, **overrides):
    start = timezone.now() + timedelta(days=10)
    data = {
        "title": "新能源汽车产业链供需对接会",
        "kind": Event.Kind.MATCHMAKING,
        "summary": "围绕新能源汽车零部件的技术需求与高校成果开展一对一洽谈。",
        "fields": "新能源汽车、热管理",
        "starts_at": start,
        "ends_at": start + timedelta(hours=4),
        "registration_deadline": start - timedelta(days=1),
        "capacity": 10,
        "meetings_start": start + timedelta(hours=1),
        "meeting_minutes": 20,
        "meeting_slots": 4,
        "meeting_tables": 2,
    }
    data.update(overrides)
    event = services.event_create(acting_user=organiser, organiser=organiser_org, data=data)
    return services.event_move(event=event, action="publish", acting_user=organiser)


@pytest.fixture
def make_event(organiser, organiser_org):
    """make_event(**overrides) -> a published event of the organiser."""
    return lambda **overrides: _make_event(organiser, organiser_org, **overrides)


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def join(db):
    """join(event, user=None, **kwargs) -> the registration of a (fresh) user."""
    return lambda event, user=None, **kwargs: services.registration_open(
        event=event, acting_user=user or UserFactory(), **kwargs
    )
