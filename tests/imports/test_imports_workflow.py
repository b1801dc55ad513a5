"""The import job's lifecycle as a declared workflow: who may make which move, stale moves, one audit each."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator
from imports_factories import need_row

from techmarket.audit.models import AuditLog
from techmarket.imports import services
from techmarket.imports.models import ImportJob
from techmarket.imports.workflow import IMPORT_JOB, import_job_move
from techmarket.orgs.models import Role
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, SYSTEM, StaleTransition

pytestmark = pytest.mark.django_db
S = ImportJob.Status


def _job(org, user, status=S.PREVIEW, **fields):
    return ImportJob.objects.create(
        spec_key="needs", owner=org, original_name="x.xlsx", created_by=user, status=status, **fields
    )


def test_the_workflow_is_registered_and_every_state_is_reachable():
    assert engine.get("imports.job") is IMPORT_JOB
    targets = {a.target for a in IMPORT_JOB.actions.values()}
    # Every state but the one an upload starts in is the target of a declared move.
    assert targets == set(S.values) - {S.CHECKING}
    people = {name for name, a in IMPORT_JOB.actions.items() if SYSTEM not in a.actors}
    assert people == {"confirm", "rerun"}
    for name in people:
        assert set(IMPORT_JOB.actions[name].actors) == {OWNER, OPERATOR}


def test_the_uploaders_organisation_and_operators_may_confirm_others_may_not(owner):
    user, org = owner
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=org, role=Role.MEMBER)
    job = _job(org, user)
    assert [n for n, _a in IMPORT_JOB.available(user, job)] == ["confirm"]
    assert IMPORT_JOB.may(colleague, job, "confirm") and IMPORT_JOB.may(make_operator(), job, "confirm")
    stranger = UserFactory()
    MembershipFactory(user=stranger, organization=OrganizationFactory(), role=Role.MEMBER)
    for outsider in (stranger, make_broker()):
        assert IMPORT_JOB.available(outsider, job) == []
        with pytest.raises(PermissionDenied):
            import_job_move(job=job, action="confirm", acting_user=outsider)
    job.refresh_from_db()
    assert job.status == S.PREVIEW and not AuditLog.objects.filter(action__startswith="imports.job.").exists()


@pytest.mark.parametrize("action", ["check_passed", "start", "succeed", "reap", "expire"])
def test_background_moves_are_the_systems_alone(owner, action):
    user, org = owner
    source = IMPORT_JOB.actions[action].sources[0]
    job = _job(org, user, status=source)
    for person in (user, make_operator()):
        with pytest.raises(PermissionDenied):
            import_job_move(job=job, action=action, acting_user=person, reason="r")
    assert action not in {n for n, _a in IMPORT_JOB.available(make_operator(), job)}
    import_job_move(job=job, action=action, reason="由系统判定")
    job.refresh_from_db()
    assert job.status == IMPORT_JOB.actions[action].target
    (record,) = AuditLog.objects.filter(action=f"imports.job.{action}")
    assert record.actor is None and record.before["status"] == source


def test_a_move_from_the_wrong_state_is_refused_and_writes_nothing(owner):
    user, org = owner
    job = _job(org, user, status=S.SUCCEEDED)
    with pytest.raises(ValidationError, match="不能执行"):
        import_job_move(job=job, action="rerun", acting_user=user)
    with pytest.raises(ValidationError, match="必须填写原因"):
        import_job_move(job=job, action="reap")  # the reaper always says why
    assert not AuditLog.objects.filter(action__startswith="imports.job.").exists()


def test_a_stale_confirm_is_refused_with_the_current_state(owner):
    user, org = owner
    job = _job(org, user)
    seen = ImportJob.objects.get(pk=job.pk)  # a second tab showing 待确认
    import_job_move(job=job, action="expire", reason="预览过期")  # the purge got there first
    with pytest.raises(StaleTransition, match="失败"):
        import_job_move(job=seen, action="confirm", acting_user=user, expected_state=S.PREVIEW)
    job.refresh_from_db()
    assert job.status == S.FAILED and job.message == "预览过期"
    assert AuditLog.objects.filter(action="imports.job.confirm").count() == 0


def test_a_move_made_for_an_older_run_is_refused(owner):
    user, org = owner
    job = _job(org, user, status=S.RUNNING, attempts=1)
    old_run = ImportJob.objects.get(pk=job.pk)
    # Reaped, run again and claimed: the job is running again, on attempt 2.
    import_job_move(job=job, action="reap", reason="没有心跳")
    import_job_move(job=job, action="rerun", acting_user=user)
    import_job_move(job=job, action="start", changes={"attempts": 2})
    with pytest.raises(ValidationError, match="已重新运行"):
        import_job_move(job=old_run, action="fail", reason="旧的进程报错", expected_state=S.RUNNING)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.RUNNING, 2)


def test_a_confirmed_small_file_moves_through_the_table_with_one_record_per_move(spec, owner, xlsx):
    user, org = owner
    job, preview = services.import_job_create(
        spec=spec, upload=xlsx([need_row("XQ-1"), need_row("XQ-2")]), acting_user=user, owner=org
    )
    assert preview is not None and preview.ok and job.status == S.PREVIEW
    job = services.import_job_start(job=job, acting_user=user)
    assert job.status == S.SUCCEEDED and job.attempts == 1 and job.finished_at
    moves = list(
        AuditLog.objects.filter(target_id=str(job.pk), action__startswith="imports.job.")
        .order_by("pk")
        .values_list("action", "before__status", "after__status")
    )
    assert moves == [
        ("imports.job.upload", None, None),
        ("imports.job.check_passed", S.CHECKING, S.PREVIEW),
        ("imports.job.confirm", S.PREVIEW, S.QUEUED),
        ("imports.job.start", S.QUEUED, S.RUNNING),
        ("imports.job.commit", None, None),
        ("imports.job.succeed", S.RUNNING, S.SUCCEEDED),
    ]
    # Confirming again is refused plainly (the service checks the state before the move).
    with pytest.raises(ValidationError, match="不能再次确认"):
        services.import_job_start(job=job, acting_user=user)
