"""In-site notifications and saved searches (订阅) that announce newly published catalogue items."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.registry import saved_search_choices


class NotificationKind(models.TextChoices):
    SAVED_SEARCH = "saved_search", _("订阅匹配")
    SYSTEM = "system", _("系统通知")


class Notification(models.Model):
    """One message in a user's in-site inbox; unread while read_at is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("类型"), max_length=20, choices=NotificationKind.choices, default=NotificationKind.SYSTEM
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, max_length=2000)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # "<app>.<model>:12": lets a retried task create the notification about an item only once per user.
    item_key = models.CharField(_("关联条目"), max_length=64, blank=True, editable=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item_key"],
                condition=~models.Q(item_key=""),
                name="notification_unique_item_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SavedSearch(models.Model):
    """The GET filters of a list page, kept so the user hears about new items that match them.

    E-mails are limited to one per NOTIFY_EMAIL_MIN_INTERVAL_MINUTES per saved search; items that match
    inside the interval wait in pending_item_ids and are listed in the next e-mail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("名称"), max_length=60)
    # A catalogue type's key (catalog.registry); the choices follow the registered types.
    target = models.CharField(_("订阅对象"), max_length=20, choices=saved_search_choices)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    notify_email = models.BooleanField(_("邮件通知"), default=True)
    notify_in_site = models.BooleanField(_("站内通知"), default=True)
    last_emailed_at = models.DateTimeField(_("上次发送邮件"), null=True, blank=True)
    pending_item_ids = models.JSONField(_("待发送邮件的条目"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        indexes = [models.Index(fields=["target", "user"], name="savedsearch_target_user")]

    def __str__(self) -> str:
        return self.name
