"""Rows the platform needs for itself, not for a domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """A fixed-window counter in the database: where rate limits are counted while the shared cache
    (Redis) is unreachable, so login protection and API limits keep working instead of failing open
    or answering 500."""

    key = models.CharField(_("键"), max_length=200, unique=True)
    window_start = models.BigIntegerField(_("窗口开始（Unix 秒）"))
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        ordering = ["key"]
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
