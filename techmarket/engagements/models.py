"""Brokered deals (对接项目) and the brokers' caseloads.

An engagement walks the transfer chain 发现对接 → 概念验证 → 中试熟化 → 交易融资 → 产业化 and ends
成交 or 终止; its moves are the workflow in ``engagements.workflow``. Who sees it is decided once in
``engagements.selectors`` (parties and operators).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest


class Stage(models.TextChoices):
    DISCOVERY = "discovery", _("发现对接")
    VERIFICATION = "verification", _("概念验证")
    PILOT = "pilot", _("中试熟化")
    TRANSACTION = "transaction", _("交易融资")
    INDUSTRIALISATION = "industrialisation", _("产业化")
    DEAL = "deal", _("成交")
    TERMINATED = "terminated", pgettext_lazy("state", "终止")


# The stages of the chain, in order; an engagement in one of them is open.
OPEN_STAGES: tuple[str, ...] = (
    Stage.DISCOVERY,
    Stage.VERIFICATION,
    Stage.PILOT,
    Stage.TRANSACTION,
    Stage.INDUSTRIALISATION,
)
CLOSED_STAGES: tuple[str, ...] = (Stage.DEAL, Stage.TERMINATED)


class Status(models.TextChoices):
    """Derived from the stage (``Engagement.status``): open, or how it ended."""

    OPEN = "open", _("进行中")
    DEAL = "deal", _("成交")
    TERMINATED = "terminated", pgettext_lazy("state", "终止")


class Origin(models.TextChoices):
    RECOMMENDATION = "recommendation", _("经纪人推荐（双方有意向）")
    NEED = "need", _("技术需求")
    ACHIEVEMENT = "achievement", _("科技成果")
    EVENT = "event", _("对接活动")
    MANUAL = "manual", _("手工创建")


class TerminationReason(models.TextChoices):
    PRICE = "price", _("价格未谈拢")
    TECH_MISMATCH = "tech_mismatch", _("技术不匹配")
    VERIFICATION_FAILED = "verification_failed", _("验证未通过")
    FUNDING = "funding", _("资金不到位")
    IP = "ip", _("知识产权问题")
    DEMAND_CHANGED = "demand_changed", _("需求变化")
    NO_RESPONSE = "no_response", _("对方长期未回应")
    OTHER = "other", _("其他")


class ProviderRole(models.TextChoices):
    VERIFICATION_CENTRE = "verification_centre", _("概念验证中心")
    PILOT_BASE = "pilot_base", _("中试基地")
    EVALUATOR = "evaluator", _("评估机构")
    INVESTOR = "investor", _("投资机构")
    BANK = "bank", _("银行")
    OTHER = "other", _("其他服务机构")


class Engagement(models.Model):
    """A broker-run deal between a demand organisation and a supply side (organisation and/or experts)."""

    title = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("项目简介"), blank=True, max_length=5000)
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("关联需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    achievement = models.ForeignKey(
        "achievements.Achievement",
        verbose_name=_("关联成果"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    recommendation = models.ForeignKey(
        "matching.MatchFeedback",
        verbose_name=_("来源推荐"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    demand_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("需求方"),
        on_delete=models.PROTECT,
        related_name="engagements_as_demand",
    )
    supply_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("供给方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements_as_supply",
    )
    experts = models.ManyToManyField(
        "experts.Expert", verbose_name=_("供给方专家"), blank=True, related_name="engagements"
    )
    lead_broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主办经纪人"),
        on_delete=models.PROTECT,
        related_name="lead_engagements",
    )
    assisting_brokers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协办经纪人"),
        blank=True,
        related_name="assisting_engagements",
    )
    service_providers = models.ManyToManyField(
        "orgs.Organization",
        verbose_name=_("服务机构"),
        blank=True,
        through="EngagementProvider",
        related_name="engagements_as_provider",
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.DISCOVERY, db_index=True
    )
    ended_stage = models.CharField(_("结束时所处阶段"), max_length=20, choices=Stage.choices, blank=True)
    stage_note = models.TextField(_("阶段说明"), blank=True, help_text=_("终止原因等，各方均可看到。"))
    termination_reason = models.CharField(
        _("终止原因"), max_length=24, choices=TerminationReason.choices, blank=True
    )
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    due_at = models.DateTimeField(
        _("下一步期限"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("逾期先提醒主办经纪人，再提醒平台运营。"),
    )
    stage_entered_at = models.DateTimeField(_("进入当前阶段时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(
        _("版本"), default=1, help_text=_("每次保存加一；两人同时编辑时后保存者被拒绝。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Reads during a request come through engagements.selectors (catalog.scopes).
    objects = GuardedManager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("对接项目")
        verbose_name_plural = _("对接项目")
        indexes = [models.Index(fields=["lead_broker", "stage"], name="engagement_broker_stage")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supply_org__isnull=True) | ~models.Q(supply_org=models.F("demand_org")),
                name="engagement_sides_differ",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> str:
        if self.stage == Stage.DEAL:
            return Status.DEAL
        if self.stage == Stage.TERMINATED:
            return Status.TERMINATED
        return Status.OPEN

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


class EngagementProvider(models.Model):
    """An optional service provider in an engagement (concept-verification centre, pilot base, ...)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="provider_links")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("服务角色"), max_length=24, choices=ProviderRole.choices)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        ordering = ["engagement", "pk"]
        verbose_name = _("服务机构")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "organization", "role"], name="engagement_provider_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_role_display()}"


class StageEntry(models.Model):
    """One stay of an engagement in one stage (for the timeline and days per stage)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="stage_entries")
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    entered_at = models.DateTimeField(_("进入时间"))
    left_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["engagement", "entered_at", "pk"]
        verbose_name = _("阶段记录")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.engagement} · {self.get_stage_display()}"


class ChecklistItem(models.Model):
    """An operator-configured item of a stage's checklist; required items must be done before leaving it."""

    stage = models.CharField(_("阶段"), max_length=20, choices=[(s, Stage(s).label) for s in OPEN_STAGES])
    label = models.CharField(_("事项"), max_length=100)
    required = models.BooleanField(_("离开本阶段前必须完成"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["stage", "sort_order", "pk"]
        verbose_name = _("阶段检查项")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["stage", "label"], name="checklist_item_unique")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.label}"


class ChecklistTick(models.Model):
    """A checklist item done in one engagement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("完成时间"), auto_now_add=True)

    class Meta:
        ordering = ["engagement", "item"]
        verbose_name = _("已完成检查项")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["engagement", "item"], name="checklist_tick_unique")]

    def __str__(self) -> str:
        return f"{self.engagement} · {self.item.label}"


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("会谈")
    VISIT = "visit", _("走访")
    CALL = "call", _("电话沟通")
    SAMPLE_TEST = "sample_test", _("样品测试")
    PROPOSAL = "proposal", _("方案提交")
    OTHER = "other", _("其他")


class Activity(models.Model):
    """Something that happened in an engagement (meeting, visit, call, sample test, proposal)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    happened_on = models.DateField(_("日期"))
    participants = models.CharField(_("参与人"), max_length=300, blank=True)
    summary = models.TextField(_("纪要"), max_length=5000)
    stage = models.CharField(_("所处阶段"), max_length=20, choices=Stage.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("对接活动记录")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.happened_on}"


class Side(models.TextChoices):
    DEMAND = "demand", _("需求方")
    SUPPLY = "supply", _("供给方")


class RecommendationAnswer(DecisionRequest):
    """One side's answer to a broker's recommendation: 有意向对接 (approved) or 暂不考虑 (rejected, with a
    reason the broker and the other side see). Two yes answers open an engagement (engagements.request_types)."""

    recommendation = models.ForeignKey(
        "matching.MatchFeedback", verbose_name=_("推荐"), on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey("needs.Need", verbose_name=_("需求"), on_delete=models.CASCADE, related_name="+")
    achievement = models.ForeignKey(
        "achievements.Achievement",
        verbose_name=_("成果"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    expert = models.ForeignKey(
        "experts.Expert",
        verbose_name=_("专家"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    side = models.CharField(_("应答方"), max_length=8, choices=Side.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("应答机构"), on_delete=models.CASCADE, related_name="+"
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐经纪人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("推荐说明"), blank=True, max_length=2000)
    explanation = models.JSONField(_("匹配说明"), default=list, blank=True)
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("推荐应答")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "side"], name="recommendation_answer_one_per_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} · {self.get_side_display()} · {self.get_status_display()}"


class Assignment(models.Model):
    """A need in a broker's caseload: assigned by an operator or claimed by the broker."""

    class Via(models.TextChoices):
        ASSIGNED = "assigned", _("运营分派")
        CLAIMED = "claimed", _("经纪人认领")

    need = models.OneToOneField(
        "needs.Need", verbose_name=_("需求"), on_delete=models.CASCADE, related_name="assignment"
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经纪人"), on_delete=models.PROTECT, related_name="caseload"
    )
    via = models.CharField(_("方式"), max_length=16, choices=Via.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("分派时间"), auto_now_add=True)
    seen_at = models.DateTimeField(_("经纪人查看时间"), null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("经纪人案源")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.need} → {self.broker}"


class BrokerFields(models.Model):
    """The fields a broker works in: the needs they may claim (industry and discipline codes, regions).
    A code covers its sub-codes (C38 covers C3841)."""

    broker = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经纪人"),
        on_delete=models.CASCADE,
        related_name="broker_fields",
    )
    industries = models.ManyToManyField("reference.Industry", verbose_name=_("服务行业"), blank=True)
    disciplines = models.ManyToManyField("reference.Discipline", verbose_name=_("学科领域"), blank=True)
    regions = models.ManyToManyField("reference.Region", verbose_name=_("服务地区"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("经纪人服务领域")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.broker)
