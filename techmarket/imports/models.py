"""Import jobs: one uploaded file, its preview, and the run that writes it (inline or as a task)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import error_file_name, private_import_storage, upload_name


class ImportJob(models.Model):
    """An uploaded workbook for one spec and owner organisation, from preview to finished import."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")  # a large file's dry run through the services, in the background
        PREVIEW = "preview", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    spec_key = models.CharField(_("导入类型"), max_length=32)
    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/", max_length=255)
    # Private storage (never under MEDIA_URL), random names; deleted when the import ends.
    file = models.FileField(
        _("上传文件"), upload_to=upload_name, storage=private_import_storage, max_length=255, blank=True
    )
    error_file = models.FileField(
        _("标注错误的文件"),
        upload_to=error_file_name,
        storage=private_import_storage,
        max_length=255,
        blank=True,
        help_text=_("上传的文件，出错的单元格标红并附批注；保留 IMPORT_FILE_RETENTION_HOURS 小时"),
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    new_rows = models.PositiveIntegerField(_("新增行数"), default=0)
    update_rows = models.PositiveIntegerField(_("更新行数"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("未变行数"), default=0)
    error_report = models.JSONField(
        _("错误报告"),
        default=list,
        blank=True,
        help_text=_("逐行错误：[{row, column, value, problem, expected, message}]"),
    )
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("最近心跳"),
        null=True,
        blank=True,
        help_text=_("运行中的导入定期写入；长时间没有心跳的任务会被判定为中断。"),
    )
    attempts = models.PositiveIntegerField(_("运行次数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")),
                name="import_job_processed_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spec_key} · {self.original_name} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def is_working(self) -> bool:
        """A background run (dry-run check or import) is under way: the page polls its progress."""
        return self.status in (self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return (
            100
            if self.is_finished or not self.total_rows
            else min(100, self.processed_rows * 100 // self.total_rows)
        )
