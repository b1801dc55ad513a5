"""Operator-kept calendar days for the years the chinese-calendar package does not know yet."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayDate(models.Model):
    """One day of the official holiday arrangement (法定节假日 or 调休上班日) that operators enter
    when the State Council has published a year the installed chinese-calendar package does not know."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("节日"), max_length=32, blank=True, help_text=_("例如：春节、国庆节"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
