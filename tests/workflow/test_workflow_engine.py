"""The one transition service: permission, stale moves, one audit record, events after commit, due times."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.audit.models import AuditLog
from techmarket.catalog import events
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import ACTIONS, available_actions, listing_transition, listing_workflow
from techmarket.needs import services
from techmarket.needs.models import Need
from techmarket.orgs.models import Role
from techmarket.workflow import engine
from techmarket.workflow.engine import StaleTransition
from techmarket.workflow.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


def _need(user, org):
    return services.need_create(
        acting_user=user,
        owner=org,
        title="高强度不锈钢焊接变形控制",
        summary="焊接变形",
        problem="薄板焊接变形大",
        cooperation_modes=["joint"],
    )


def test_second_of_two_moves_from_the_same_state_is_refused_with_the_current_state(owner):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    mine, theirs = Need.objects.get(pk=need.pk), Need.objects.get(pk=need.pk)
    listing_transition(item=theirs, action="publish", acting_user=make_operator())
    audits = AuditLog.objects.count()
    with pytest.raises(StaleTransition) as exc:
        listing_transition(
            item=mine, action="request_changes", acting_user=make_operator(), reason="请补充指标"
        )
    assert "该条目已被他人处理（当前状态：已发布），请刷新后重试" in exc.value.messages[0]
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED and need.review_note == ""
    assert AuditLog.objects.count() == audits


def test_expected_state_from_the_page_is_checked_against_the_database(owner):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    fresh = Need.objects.get(pk=need.pk)
    with pytest.raises(StaleTransition):
        # the page was drawn while the need was still a draft
        listing_transition(item=fresh, action="publish", acting_user=make_operator(), expected_state="draft")
    assert Need.objects.get(pk=need.pk).status == ListingStatus.PENDING


def test_each_move_writes_exactly_one_audit_record_with_before_and_after(owner):
    user, org = owner
    need = _need(user, org)
    before = AuditLog.objects.count()
    listing_transition(item=need, action="submit", acting_user=user)
    assert AuditLog.objects.count() == before + 1
    record = AuditLog.objects.latest("pk")
    assert record.action == "needs.need.submit"
    assert (record.before["status"], record.after["status"]) == ("draft", "pending")


def test_listing_events_run_inside_the_move_so_outbox_rows_commit_with_it(owner):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    seen = []

    def listener(label, pk):
        # inside the transition's transaction: the status is already written, the audit record too
        seen.append(
            (
                label,
                pk,
                Need.objects.get(pk=pk).status,
                AuditLog.objects.filter(action="needs.need.publish").count(),
            )
        )

    events.on_listing_published(listener)
    try:
        listing_transition(item=need, action="publish", acting_user=make_operator())
    finally:
        events._published.remove(listener)
    assert seen == [("needs.need", need.pk, ListingStatus.PUBLISHED, 1)]


def test_after_commit_listeners_run_only_once_the_move_commits(owner, django_capture_on_commit_callbacks):
    from dataclasses import replace

    user, org = owner
    need = _need(user, org)
    seen = []
    workflow = replace(
        listing_workflow(Need),
        name="test.listing_after_commit",
        listeners=(lambda obj, action: seen.append(action),),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        engine.transition(workflow=workflow, obj=need, action="submit", acting_user=user)
    assert seen == [] and callbacks
    for callback in callbacks:
        callback()
    assert seen == ["submit"]


def test_submitting_sets_a_review_due_time_in_working_days_and_deciding_clears_it(owner):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    need.refresh_from_db()
    assert need.due_at == add_working_days(need.submitted_at, ACTIONS["submit"].due_working_days)
    listing_transition(item=need, action="publish", acting_user=make_operator())
    need.refresh_from_db()
    assert need.due_at is None and need.expires_at is not None


def test_actors_are_resolved_per_object_and_system_actions_are_never_offered(owner):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=make_operator())
    assert [name for name, _a in available_actions(make_broker(), need)] == []
    assert [name for name, _a in available_actions(user, need)] == ["close", "renew"]
    with pytest.raises(PermissionDenied):  # 对接中 / 已解决 follow the engagements, nobody sets them by hand
        listing_transition(item=need, action="solve", acting_user=make_operator())
    assert "expire" not in dict(available_actions(make_operator(), need))
    with pytest.raises(PermissionDenied):
        listing_transition(item=need, action="expire", acting_user=user)
    listing_transition(item=need, action="expire", acting_user=None)  # the system may
    assert need.status == ListingStatus.EXPIRED


def test_unknown_action_and_anonymous_user_are_refused(owner):
    user, org = owner
    need = _need(user, org)
    with pytest.raises(ValidationError, match="未知操作"):
        listing_transition(item=need, action="teleport", acting_user=user)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        listing_transition(item=need, action="submit", acting_user=AnonymousUser())


def test_every_listing_model_and_request_type_is_registered_at_startup():
    names = {w.name for w in engine.registered()}
    assert {
        "listing:needs.need",
        "listing:achievements.achievement",
        "orgs.organization",
        "orgs.join_request",
        "catalog.access",
        "experts.contact",
        "needs.refinement",
    } <= names
    assert listing_workflow(Need) is engine.get("listing:needs.need")


def test_view_refuses_a_stale_button_press_with_the_message(owner, client):
    user, org = owner
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    operator = make_operator()
    listing_transition(item=need, action="publish", acting_user=operator)
    client.force_login(operator)
    # the operator's review page still showed the need as pending
    response = client.post(
        f"/needs/{need.pk}/actions/request_changes/",
        {"reason": "请补充", "expected_state": "pending"},
        follow=True,
    )
    assert "该条目已被他人处理" in response.content.decode()
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED


def test_a_move_whose_preconditions_name_something_missing_is_refused_with_all_of_them(owner):
    import dataclasses

    user, org = owner
    need = _need(user, org)
    base = listing_workflow(Need)
    missing = ["请先填写技术指标。", "请先上传可行性报告。"]
    checked = dataclasses.replace(
        base,
        name="test:preconditions",
        preconditions=lambda obj, action: missing if action == "submit" else [],
    )
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        engine.transition(workflow=checked, obj=need, action="submit", acting_user=user)
    assert exc.value.messages == missing
    need.refresh_from_db()
    assert need.status == ListingStatus.DRAFT and AuditLog.objects.count() == audits
    missing.clear()
    engine.transition(workflow=checked, obj=need, action="submit", acting_user=user)
    assert need.status == ListingStatus.PENDING
