"""Roadshows: projects apply and the organiser selects them; participants register interest in a project."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from techmarket.events import services
from techmarket.events.models import Event, ProjectInterest, Registration

R = Registration.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def roadshow(make_event):
    return make_event(kind=Event.Kind.ROADSHOW, title="月度路演：新能源专场")


def _present(roadshow, join, university_user, university, achievement):
    return join(
        roadshow, user=university_user, organization=university, achievement_ids=[achievement.pk],
        role=Registration.Role.PRESENTER,
    )  # fmt: skip


def test_projects_apply_and_wait_for_the_organisers_selection(
    roadshow, join, university_user, university, achievement, organiser
):
    project = _present(roadshow, join, university_user, university, achievement)
    assert project.status == R.PENDING  # even though the event itself is open
    services.registration_decide(registration=project, acting_user=organiser, approve=True)
    project.refresh_from_db()
    assert project.status == R.CONFIRMED


def test_a_project_must_bring_something_and_only_to_a_roadshow(roadshow, event, join):
    with pytest.raises(ValidationError, match="要展示的科技成果"):
        join(roadshow, role=Registration.Role.PRESENTER)
    with pytest.raises(ValidationError, match="只有路演活动"):
        join(event, role=Registration.Role.PRESENTER)


def test_participants_register_interest_once_in_a_selected_project(
    client, roadshow, join, university_user, university, achievement, organiser
):
    project = _present(roadshow, join, university_user, university, achievement)
    investor = join(roadshow)
    with pytest.raises(ValidationError, match="入选"):
        services.project_interest_register(presenter=project, acting_user=investor.user)
    services.registration_decide(registration=project, acting_user=organiser, approve=True)
    project.refresh_from_db()
    client.force_login(investor.user)
    url = reverse("events:project_interest", args=[project.pk])
    assert (
        "已登记对该路演项目的意向"
        in client.post(url, {"note": "拟投资 500 万元"}, follow=True).content.decode()
    )
    assert "已登记过" in client.post(url, {"note": "再次"}, follow=True).content.decode()
    assert list(ProjectInterest.objects.values_list("participant_id", "note")) == [
        (investor.pk, "拟投资 500 万元")
    ]
    with pytest.raises(ValidationError, match="自己的项目"):
        services.project_interest_register(presenter=project, acting_user=university_user)
