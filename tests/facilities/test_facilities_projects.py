"""Projects: outcomes move 进行中 → 已通过验证 → 已转化 through the workflow, only by the facility; the record
"at least 3 verified, at least 2 transferred" is counted from them; figures and the evaluation subject."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from techmarket.analytics import evaluations
from techmarket.analytics.indicators import get as indicator
from techmarket.facilities import selectors, services
from techmarket.facilities.models import Project

pytestmark = pytest.mark.django_db


def _project(facility, user, title):
    return services.project_create(
        facility=facility, acting_user=user, data={"title": title, "team": "材料学院"}
    )


def test_outcomes_follow_the_workflow(centre, uni_admin):
    p = _project(centre, uni_admin, "低温锂电正极材料原理验证")
    with pytest.raises(ValidationError):
        services.project_move(project=p, action="transfer", acting_user=uni_admin)  # not verified yet
    services.project_move(project=p, action="verify", acting_user=uni_admin)
    services.project_move(project=p, action="transfer", acting_user=uni_admin)
    p.refresh_from_db()
    assert p.status == Project.Status.TRANSFERRED and p.verified_at and p.transferred_at


def test_outcomes_on_someone_elses_project_are_refused(centre, uni_admin, stranger, ent_user):
    p = _project(centre, uni_admin, "高导热复合材料中试验证")
    for user in (stranger, ent_user):
        with pytest.raises(PermissionDenied):
            services.project_move(project=p, action="verify", acting_user=user)
    with pytest.raises(PermissionDenied):
        services.project_create(facility=centre, acting_user=stranger, data={"title": "冒名登记的项目"})
    p.refresh_from_db()
    assert p.status == Project.Status.RUNNING


def test_stopping_a_project_needs_a_reason(centre, uni_admin):
    p = _project(centre, uni_admin, "陶瓷基复合材料验证")
    with pytest.raises(ValidationError):
        services.project_move(project=p, action="stop", acting_user=uni_admin, reason="")
    services.project_move(project=p, action="stop", acting_user=uni_admin, reason="技术路线不可行")
    p.refresh_from_db()
    assert p.status == Project.Status.STOPPED


def test_the_record_counts_verified_and_transferred(centre, uni_admin):
    projects = [_project(centre, uni_admin, f"验证项目第{i}号") for i in range(4)]
    for p in projects[:3]:
        services.project_move(project=p, action="verify", acting_user=uni_admin)
    services.project_move(project=projects[0], action="transfer", acting_user=uni_admin)
    assert selectors.facility_record(centre) == {"verified": 3, "transferred": 1, "running": 1}
    assert not selectors.meets_record(centre)
    services.project_move(project=projects[1], action="transfer", acting_user=uni_admin)
    assert selectors.facility_record(centre) == {"verified": 3, "transferred": 2, "running": 1}
    assert selectors.meets_record(centre)


def test_figures_and_the_evaluation_subject_count_the_outcomes(centre, uni_admin, ent_user, enterprise):
    from techmarket.analytics.periods import Period

    p1 = _project(centre, uni_admin, "验证项目甲")
    p2 = _project(centre, uni_admin, "验证项目乙")
    for p in (p1, p2):
        services.project_move(project=p, action="verify", acting_user=uni_admin)
    services.project_move(project=p1, action="transfer", acting_user=uni_admin)
    services.booking_open(facility=centre, acting_user=ent_user, organization=enterprise, service="原理验证")

    assert indicator("facilities.projects_verified").queryset().count() == 2
    assert indicator("facilities.projects_transferred").queryset().count() == 1
    assert indicator("facilities.bookings").queryset().count() == 1
    assert evaluations.subject("facility") is not None
    assert centre in evaluations.subject("facility").queryset()
    period = Period.year_to_date()
    assert evaluations.metric("facilities.verified").values(period) == {centre.pk: 2}
    assert evaluations.metric("facilities.transferred").values(period) == {centre.pk: 1}
