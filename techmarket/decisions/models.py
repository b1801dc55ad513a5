"""The one base for "someone asks, someone decides with a reason the asker sees"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")


class DecisionRequest(models.Model):
    """Abstract base of a request. A concrete model adds who asks (its requester field) and what about
    (its subject), and is declared once as a ``RequestType`` (see decisions.types). Models that predate
    the base keep their own status values and field names by overriding the fields below."""

    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(
        _("处理意见"), max_length=500, blank=True, help_text=_("申请人会看到它。")
    )
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        abstract = True
