"""The transactional outbox: follow-up work written in the same transaction as the change it follows."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One follow-up task (a Celery task name and its arguments) owed by a committed change.

    Life: pending → queued (handed to the broker) → running (claimed by exactly one worker) → done;
    a failed hand-over or run goes back to pending with a later ``available_at``; after
    OUTBOX_MAX_ATTEMPTS failed runs it stays failed for an operator to look at.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        QUEUED = "queued", _("已排队")
        RUNNING = "running", _("执行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("发送/执行次数"), default=0)
    available_at = models.DateTimeField(_("可发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("后续任务")
        verbose_name_plural = _("后续任务")
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_status_available")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} · {self.get_status_display()}"
