"""The life of an import job, declared on the workflow kernel.

An upload is created 校验中 (or 失败 at once when the file cannot be read; creating is not a move):

    校验中 ──check_passed──▶ 待确认 ──confirm──▶ 排队中 ──start──▶ 导入中 ──succeed──▶ 已完成
      │                        │                   │                 │
      └─check_failed / fail──▶ 失败 ◀──expire───────┘ ◀──reap (dead)───┴──fail──┘
                               │
                               └──rerun──▶ 排队中 (a failed run without row errors, stored file kept)

Who: ``confirm`` and ``rerun`` are the people's (the uploading organisation's members, the uploader among
them, and operators — the same rule as ``services.check_import_permission``); every other move is the
system's (the background check and run, the reaper, the purge of unconfirmed uploads).

Besides the state, a background move is checked against the run it belongs to: a move made for an older
attempt (a run that was reaped and started again meanwhile) is refused under the row lock.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, SYSTEM, Action, Workflow

from .models import ImportJob

S = ImportJob.Status

# The actor kinds of this table: OWNER = a member of the organisation the file was uploaded for (the
# uploader and colleagues), OPERATOR = platform operators, SYSTEM = background steps (acting_user=None).
PEOPLE = (OWNER, OPERATOR)


def _actor_kinds(user: Any, job: ImportJob) -> set[str]:
    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if roles.is_org_member(user, job.owner):
        kinds.add(OWNER)
    return kinds


def _same_attempt(job: ImportJob, action: str) -> list[str]:
    """Under the row lock: the job is still on the run this move was made for."""
    if ImportJob._base_manager.filter(pk=job.pk, attempts=job.attempts).exists():
        return []
    return [str(_("该导入任务已重新运行，本次操作不再适用，请刷新后查看。"))]


IMPORT_JOB = engine.register(
    Workflow(
        name="imports.job",
        model=ImportJob,
        actor_kinds=_actor_kinds,
        reason_field="message",
        audit_prefix="imports.job",
        audit_fields=("status", "attempts", "processed_rows", "started_at", "finished_at"),
        preconditions=_same_attempt,
        actions={
            "check_passed": Action(_("校验通过"), (S.CHECKING,), S.PREVIEW, (SYSTEM,)),
            "check_failed": Action(
                _("校验未通过"),
                (S.CHECKING,),
                S.FAILED,
                (SYSTEM,),
                stamps=("finished_at",),
                writes_reason=True,
            ),
            "confirm": Action(_("确认导入"), (S.PREVIEW,), S.QUEUED, PEOPLE),
            "start": Action(_("开始导入"), (S.QUEUED,), S.RUNNING, (SYSTEM,), stamps=("started_at",)),
            "succeed": Action(
                _("导入完成"),
                (S.RUNNING,),
                S.SUCCEEDED,
                (SYSTEM,),
                stamps=("finished_at",),
                writes_reason=True,
            ),
            "fail": Action(
                _("导入失败"),
                (S.CHECKING, S.RUNNING),
                S.FAILED,
                (SYSTEM,),
                needs_reason=True,
                stamps=("finished_at",),
            ),
            "reap": Action(
                _("判定中断"),
                (S.CHECKING, S.QUEUED, S.RUNNING),
                S.FAILED,
                (SYSTEM,),
                needs_reason=True,
                stamps=("finished_at",),
            ),
            "expire": Action(
                _("预览过期"), (S.PREVIEW,), S.FAILED, (SYSTEM,), needs_reason=True, stamps=("finished_at",)
            ),
            "rerun": Action(_("重新运行"), (S.FAILED,), S.QUEUED, PEOPLE, writes_reason=True),
        },
    )
)


def import_job_move(
    *,
    job: ImportJob,
    action: str,
    acting_user: Any = None,
    reason: str = "",
    expected_state: str | None = None,
    changes: dict[str, Any] | None = None,
) -> ImportJob:
    """Every status change of an import job goes through here (the one transition service)."""
    return engine.transition(
        workflow=IMPORT_JOB,
        obj=job,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
        changes=changes,
    )
