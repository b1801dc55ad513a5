"""Investors (投资机构) and the enterprises that seek finance.

- ``Fund``: a fund profile of an organisation of kind 投资机构: stages, fields (industries and chain nodes),
  ticket sizes and regions; matched with achievements and enterprises seeking finance (``matching.py``).
- ``FinanceSeeking``: an enterprise's 融资需求 (amount, stage, use) — kept here, not on the organisation.
- ``Interest``: a fund's interest in an achievement or a seeking enterprise; a broker or operator turns it into
  an engagement (``engagements.services.engagement_open``) or an operator gives it a roadshow slot
  (``events.Event`` of kind 路演); moves through ``techmarket.workflow`` (``workflow.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.core.money import money
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Industry, Region


class Stage(models.TextChoices):
    SEED = "seed", _("种子期")
    ANGEL = "angel", _("天使轮")
    A = "a", _("A 轮")
    B = "b", _("B 轮")
    GROWTH = "growth", _("成长期（C 轮及以后）")
    PRE_IPO = "pre_ipo", _("Pre-IPO")


def stage_labels(values: list[str]) -> list[str]:
    labels = dict(Stage.choices)
    return [str(labels.get(v, v)) for v in values]


class Fund(models.Model):
    """A fund profile: what the fund invests in, how much per deal, where."""

    manager = models.ForeignKey(
        Organization, verbose_name=_("投资机构"), on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField(_("基金名称"), max_length=120)
    stages = models.JSONField(_("投资阶段"), default=list)
    industries = models.ManyToManyField(Industry, verbose_name=_("关注行业"), blank=True, related_name="+")
    chain_nodes = models.ManyToManyField(
        ChainNode, verbose_name=_("关注产业链环节"), blank=True, related_name="+"
    )
    ticket_min = models.DecimalField(_("单笔投资下限（元）"), max_digits=14, decimal_places=2)
    ticket_max = models.DecimalField(_("单笔投资上限（元）"), max_digits=14, decimal_places=2)
    regions = models.ManyToManyField(
        Region, verbose_name=_("投资地域"), blank=True, related_name="+", help_text=_("不选表示不限地域")
    )
    size = models.DecimalField(_("基金规模（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    summary = models.TextField(_("投资偏好说明"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("在投"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["manager__name", "name"]
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        constraints = [
            models.UniqueConstraint(fields=["manager", "name"], name="fund_name_unique_per_manager"),
            models.CheckConstraint(condition=Q(ticket_min__gt=0), name="fund_ticket_min_positive"),
            models.CheckConstraint(condition=Q(ticket_max__gte=F("ticket_min")), name="fund_ticket_in_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)


class FinanceSeeking(models.Model):
    """An enterprise seeking finance: how much, at which stage, for what."""

    class Status(models.TextChoices):
        OPEN = "open", _("融资中")
        CLOSED = "closed", _("已结束")

    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="finance_seekings"
    )
    title = models.CharField(_("项目名称"), max_length=120)
    amount = models.DecimalField(_("拟融资额（元）"), max_digits=14, decimal_places=2)
    stage = models.CharField(_("融资阶段"), max_length=16, choices=Stage.choices)
    use_of_funds = models.CharField(_("资金用途"), max_length=500)
    summary = models.TextField(_("项目简介"), max_length=2000, blank=True)
    chain_node = models.ForeignKey(
        ChainNode,
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("企业融资需求")
        verbose_name_plural = _("企业融资需求")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_seeking_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.organization}：{self.title}"


class Interest(models.Model):
    """A fund's interest in an achievement or in an enterprise seeking finance."""

    class Kind(models.TextChoices):
        ENGAGEMENT = "engagement", _("希望对接洽谈")
        ROADSHOW = "roadshow", _("希望安排路演")

    class Status(models.TextChoices):
        OPEN = "open", _("待安排")
        ENGAGED = "engaged", _("已立项对接")
        ROADSHOW = "roadshow", _("已安排路演")
        DECLINED = "declined", _("未能安排")
        WITHDRAWN = "withdrawn", _("已撤回")

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="interests")
    achievement = models.ForeignKey(
        "achievements.Achievement",
        verbose_name=_("科技成果"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    seeking = models.ForeignKey(
        FinanceSeeking,
        verbose_name=_("融资需求"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interests",
    )
    target = models.ForeignKey(
        Organization, verbose_name=_("对方机构"), on_delete=models.PROTECT, related_name="investor_interests"
    )
    kind = models.CharField(_("意向"), max_length=16, choices=Kind.choices, default=Kind.ENGAGEMENT)
    note = models.CharField(_("意向说明"), max_length=500, blank=True)
    match_reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    status_note = models.CharField(_("处理意见"), max_length=500, blank=True)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("对接项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("路演活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("处理时限"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("投资意向")
        verbose_name_plural = _("投资意向")
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement__isnull=False, seeking__isnull=True)
                | Q(achievement__isnull=True, seeking__isnull=False),
                name="interest_one_subject",
            ),
            models.UniqueConstraint(
                fields=["fund", "achievement"],
                condition=Q(status="open", achievement__isnull=False),
                name="interest_open_once_per_achievement",
            ),
            models.UniqueConstraint(
                fields=["fund", "seeking"],
                condition=Q(status="open", seeking__isnull=False),
                name="interest_open_once_per_seeking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} → {self.subject_title}"

    @property
    def subject(self) -> object:
        return self.achievement if self.achievement_id else self.seeking

    @property
    def subject_title(self) -> str:
        return str(self.achievement.title if self.achievement_id else self.seeking.title)  # type: ignore[union-attr]


class Investment(models.Model):
    """An investment made: after an interest was arranged (engagement or roadshow) and the parties agreed, the
    fund's staff record the amount, the date and the round. Individual amounts are seen by the fund's
    organisation and the enterprise; the platform sees totals (``figures.py``)."""

    interest = models.ForeignKey(
        Interest, verbose_name=_("投资意向"), on_delete=models.PROTECT, related_name="investments"
    )
    fund = models.ForeignKey(
        Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="investments"
    )
    target = models.ForeignKey(
        Organization,
        verbose_name=_("被投机构"),
        on_delete=models.PROTECT,
        related_name="investments_received",
    )
    amount = models.DecimalField(_("投资金额（元）"), max_digits=14, decimal_places=2)
    invested_on = models.DateField(_("投资日期"), db_index=True)
    stage = models.CharField(_("投资轮次"), max_length=16, choices=Stage.choices)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-invested_on", "-pk"]
        verbose_name = _("投资记录")
        verbose_name_plural = _("投资记录")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="investment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.fund} → {self.target}：{money(self.amount, '元')}"
