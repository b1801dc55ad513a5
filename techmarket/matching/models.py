"""Feedback on suggestions: brokers' and owners' decisions, replayable as a judged set for the benchmark."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    ACCEPT = "accept", _("采纳")
    REJECT = "reject", _("不相关")
    RECOMMEND = "recommend", _("推荐给企业")


class MatchFeedback(models.Model):
    """One decision about one suggestion (source item → suggested target item); every decision is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="match_feedback",
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("推荐类型"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(_("推荐编号"))
    target = GenericForeignKey("target_type", "target_id")
    decision = models.CharField(_("决定"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    score = models.FloatField(_("匹配得分"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("匹配反馈")
        verbose_name_plural = _("匹配反馈")
        indexes = [models.Index(fields=["source_type", "source_id"], name="matchfeedback_source")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="reject") | ~models.Q(reason=""),
                name="matchfeedback_reject_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.source_type.model}#{self.source_id} → {self.target_type.model}#{self.target_id} · "
            f"{self.get_decision_display()}"
        )


class DomainTerm(models.Model):
    """An operator-maintained domain term (领域词典): segmented as one word and highlighted whole.

    Changing the dictionary changes how every text is tokenised, so a save schedules a full rebuild.
    """

    term = models.CharField(_("术语"), max_length=32, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("领域术语")
        verbose_name_plural = _("领域词典")

    def __str__(self) -> str:
        return self.term
