"""One audit record per write: who did what to which object, when, with before/after.

Records are tamper-evident: each stores the SHA-256 of its own content chained to the previous
record's hash (see audit.chain), `manage.py audit_verify` recomputes the chain, and the ORM refuses to
change or delete a record (only the retention purge removes records older than AUDIT_RETENTION_DAYS).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogImmutable(Exception):
    """Audit records are never changed or deleted (except by the retention purge)."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditLogImmutable("audit records cannot be changed")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AuditLogImmutable("audit records cannot be deleted; see audit_purge for retention")

    def purge_before(self, cutoff):  # type: ignore[no-untyped-def]
        """Retention only: delete records older than cutoff (the caller records the purge)."""
        return models.QuerySet.delete(self.filter(created_at__lt=cutoff))


class AuditLog(models.Model):
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.SET_NULL
    )
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, blank=True)
    record_hash = models.CharField(_("本条摘要"), max_length=64, blank=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise AuditLogImmutable("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditLogImmutable("audit records cannot be deleted")

    def target_model(self) -> type[models.Model] | None:
        """The target's model class (None for a record without a target or of a model since removed)."""
        return self.target_type.model_class() if self.target_type_id and self.target_type else None

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) of each changed key, in words where the target's model knows them: the
        field's verbose name and a choice's label ("status": "submitted" reads 状态: 待认定)."""
        from .labels import field_words

        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        keys = sorted(set(before) | set(after))
        model = self.target_model()
        out: list[tuple[str, object, object]] = []
        for k in keys:
            if before.get(k) != after.get(k):
                out.append(field_words(model, k, before.get(k), after.get(k)))
        return out


class AuditChainHead(models.Model):
    """One row holding the hash of the newest record: writers lock it, so the chain never forks."""

    last_hash = models.CharField(_("最新摘要"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return self.last_hash[:12]
