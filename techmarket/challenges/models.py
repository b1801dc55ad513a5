"""揭榜挂帅: batches of challenges, applications from teams, review panels and milestones.

The panel models (Panel, PanelCriterion, PanelMember, Score) name no challenge: a panel is attached to any
subject (a challenge, later a facility recognition or a finance round) and scores entries of one model
(applications here). See techmarket/challenges/panels.py for how another domain reuses them.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest, RequestStatus


class Batch(models.Model):
    """A published list of challenges (年度/季度榜单, or the standing call 常态化征集)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度榜单")
        QUARTERLY = "quarterly", _("季度榜单")
        STANDING = "standing", _("常态化征集")

    title = models.CharField(_("批次名称"), max_length=120)
    kind = models.CharField(_("批次类型"), max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("说明"), blank=True, max_length=5000)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("榜单批次")
        verbose_name_plural = _("榜单批次")

    def __str__(self) -> str:
        return self.title


class Challenge(models.Model):
    """A 榜单项目: an enterprise's technical problem with quantified targets, funding and a deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PENDING = "pending", _("待发布")
        OPEN = "open", _("揭榜中")
        REVIEWING = "reviewing", _("评审中")
        PUBLICITY = "publicity", _("公示中")
        AWARDED = "awarded", _("实施中")
        COMPLETED = "completed", _("已验收")
        CLOSED = "closed", _("已终止")

    class Mode(models.TextChoices):
        OPEN_CALL = "open_call", _("揭榜制")
        ASSEMBLED = "assembled", _("组阁制")

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenges",
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("来源需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenges",
    )
    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("发榜企业"), on_delete=models.PROTECT, related_name="challenges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mode = models.CharField(_("组织方式"), max_length=16, choices=Mode.choices, default=Mode.OPEN_CALL)
    title = models.CharField(_("榜单名称"), max_length=120)
    problem = models.TextField(_("技术难题"), max_length=5000)
    targets = models.JSONField(
        _("量化指标"),
        default=list,
        blank=True,
        help_text=_('[{"indicator": 指标, "value": 目标值, "unit": 单位, "method": 测试方法}]'),
    )
    deliverables = models.TextField(_("交付成果"), max_length=3000)
    funding_total = models.DecimalField(
        _("榜单总金额（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    enterprise_share = models.DecimalField(
        _("企业出资（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    government_share = models.DecimalField(
        _("财政支持（元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    duration_months = models.PositiveSmallIntegerField(_("攻关周期（月）"), default=24)
    eligibility = models.TextField(_("揭榜条件"), blank=True, max_length=3000)
    eligible_kinds = models.JSONField(
        _("可揭榜的机构类型"), default=list, blank=True, help_text=_("空表示不限；否则为机构类型列表。")
    )
    criteria = models.JSONField(
        _("评审指标与权重"), default=list, blank=True, help_text=_('[{"name": 指标, "weight": 权重}]')
    )
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    industry = models.ForeignKey(
        "reference.Industry", verbose_name=_("所属行业"), null=True, blank=True, on_delete=models.PROTECT
    )
    deadline = models.DateTimeField(_("揭榜截止时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_note = models.TextField(_("处理意见"), blank=True, max_length=2000)
    proposed_application = models.ForeignKey(
        "Application",
        verbose_name=_("拟揭榜团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publicity_started_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_until = models.DateTimeField(_("公示截止"), null=True, blank=True)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("对接项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("揭榜成功时在发榜企业与揭榜团队之间开启的对接项目。"),
    )
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("揭榜成功时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_score = models.DecimalField(
        _("验收评审得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    outcome_products = models.PositiveIntegerField(_("新产品（项）"), default=0)
    outcome_patents = models.PositiveIntegerField(_("专利（件）"), default=0)
    outcome_revenue = models.DecimalField(
        _("新增销售收入（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    outcome_taxes = models.DecimalField(
        _("新增利税（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    outcome_jobs = models.PositiveIntegerField(_("新增就业（人）"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("揭榜挂帅榜单")
        verbose_name_plural = _("揭榜挂帅榜单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(funding_total=models.F("enterprise_share") + models.F("government_share")),
                name="challenge_funding_shares_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Application(DecisionRequest):
    """A team's application (揭榜): the team asks, the operator decides (award or not) after the panel."""

    class Status(models.TextChoices):  # the request states, in the words of 揭榜挂帅
        PENDING = RequestStatus.PENDING.value, _("已申报")
        APPROVED = RequestStatus.APPROVED.value, _("揭榜成功")
        REJECTED = RequestStatus.REJECTED.value, _("未入选")
        WITHDRAWN = RequestStatus.WITHDRAWN.value, _("已撤回")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE, related_name="applications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    lead_expert = models.ForeignKey(
        "experts.Expert", verbose_name=_("团队负责人"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        "experts.Expert", verbose_name=_("团队成员"), blank=True, related_name="challenge_applications"
    )
    plan = models.TextField(_("技术方案"), max_length=10000)
    milestones_plan = models.JSONField(
        _("里程碑计划"),
        default=list,
        help_text=_('[{"title": 名称, "deliverable": 交付物, "due": "YYYY-MM-DD", "amount": 拨付金额}]'),
    )
    budget = models.JSONField(
        _("经费预算"), default=list, help_text=_('[{"item": 科目, "amount": 金额（元）}]')
    )
    prior_results = models.TextField(_("前期成果"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organization"],
                condition=models.Q(status__in=[RequestStatus.PENDING, RequestStatus.APPROVED]),
                name="challenge_one_live_application_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.challenge}"

    @property
    def budget_total(self) -> Decimal:
        return sum((Decimal(str(b.get("amount") or 0)) for b in self.budget or []), Decimal("0"))


class TeamInvitation(DecisionRequest):
    """组阁制: the bureau/operator asks an expert from the pool to join the team it assembles; the expert
    accepts or declines (the reason, optional, is shown to the operator)."""

    class Status(models.TextChoices):
        PENDING = RequestStatus.PENDING.value, _("待答复")
        APPROVED = RequestStatus.APPROVED.value, _("已接受")
        REJECTED = RequestStatus.REJECTED.value, _("已谢绝")
        WITHDRAWN = RequestStatus.WITHDRAWN.value, _("已撤回")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE, related_name="team_invitations"
    )
    expert = models.ForeignKey(
        "experts.Expert", verbose_name=_("受邀专家"), on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.CharField(_("邀请说明"), max_length=1000, blank=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("组阁邀请")
        verbose_name_plural = _("组阁邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "expert"],
                condition=models.Q(status__in=[RequestStatus.PENDING, RequestStatus.APPROVED]),
                name="challenge_one_live_invitation_per_expert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.challenge}"


class Objection(DecisionRequest):
    """An objection raised during the publicity period (公示); an operator must answer it."""

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("异议人"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("异议内容"), max_length=2000)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"{self.challenge} · {self.get_status_display()}"


class Question(models.Model):
    """Public Q&A on a challenge: the answer is published for everyone, the asker stays anonymous."""

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE, related_name="questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提问人"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("问题"), max_length=1000)
    answer = models.TextField(_("答复"), blank=True, max_length=3000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提问时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("答疑")
        verbose_name_plural = _("答疑")

    def __str__(self) -> str:
        return self.text[:40]


class Milestone(models.Model):
    """One milestone of an awarded application: deliverable, due date, funding tranche released on acceptance."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("进行中")
        SUBMITTED = "submitted", _("待验收")
        REWORK = "rework", _("需整改")
        ACCEPTED = "accepted", _("已通过")

    application = models.ForeignKey(
        Application, verbose_name=_("揭榜申请"), on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("里程碑"), max_length=120)
    deliverable = models.CharField(_("交付物"), max_length=500)
    planned_date = models.DateField(_("计划完成日期"))
    amount = models.DecimalField(_("拨付金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    is_final = models.BooleanField(_("最终验收"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    submission_note = models.TextField(_("完成情况"), blank=True, max_length=3000)
    review_note = models.TextField(_("验收意见"), blank=True, max_length=2000)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收通过时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["application", "order"]
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        constraints = [
            models.UniqueConstraint(fields=["application", "order"], name="milestone_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Payment(models.Model):
    """A funding tranche paid out (拨付) after its milestone was accepted: amount, date and source.

    The payments of a milestone never exceed its tranche, those of a source never exceed that source's
    share of the challenge's funding (checked under the challenge's row lock in challenges.funding)."""

    class Source(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业出资")
        GOVERNMENT = "government", _("财政支持")

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("里程碑"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("拨付金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("拨付日期"))
    source = models.CharField(_("资金来源"), max_length=16, choices=Source.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["milestone", "paid_on", "pk"]
        verbose_name = _("经费拨付")
        verbose_name_plural = _("经费拨付")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.get_source_display()} {self.amount}"


# --- review panels (generic: no challenge fields) -------------------------------------------------


class Panel(models.Model):
    """An expert review panel on any subject; its entries are objects of ``entry_type``."""

    class Purpose(models.TextChoices):
        SELECTION = "selection", _("遴选评审")
        ACCEPTANCE = "acceptance", _("验收评审")
        # facility recognition (facilities.recognition): an application, and the periodic evaluation
        RECOGNITION = "recognition", _("认定评审")
        EVALUATION = "evaluation", _("定期评价评审")

    class Status(models.TextChoices):
        FORMING = "forming", _("组建中")
        SCORING = "scoring", _("评分中")
        CLOSED = "closed", _("已结束")

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    entry_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(
        _("评审类型"), max_length=16, choices=Purpose.choices, default=Purpose.SELECTION, db_index=True
    )
    title = models.CharField(_("评审名称"), max_length=160)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.FORMING)
    scale_max = models.PositiveSmallIntegerField(_("满分"), default=100)
    trimmed = models.BooleanField(
        _("去掉最高分和最低分"), default=False, help_text=_("评审专家不少于 3 人时生效。")
    )
    conflict_years = models.PositiveSmallIntegerField(_("合作回避年限"), default=3)
    min_members = models.PositiveSmallIntegerField(_("最少评审专家人数"), default=3)
    status_note = models.TextField(_("处理意见"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scoring_started_at = models.DateTimeField(_("开始评分时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评审组")
        verbose_name_plural = _("评审组")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return self.title


class PanelCriterion(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评审指标"), max_length=60)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        ordering = ["panel", "order", "pk"]
        verbose_name = _("评审指标")
        verbose_name_plural = _("评审指标")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="panel_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="panel_seats")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["panel", "pk"]
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_once")]

    def __str__(self) -> str:
        return f"{self.panel} · {self.expert.name}"


class Score(models.Model):
    """One reviewer's score of one entry on one criterion (blind until the panel closes)."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    entry_id = models.PositiveBigIntegerField()
    criterion = models.ForeignKey(PanelCriterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    comment = models.CharField(_("评语"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("评分时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["member", "entry_id", "criterion"]
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["member", "entry_id", "criterion"], name="score_once"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.entry_id} · {self.criterion.name}: {self.value}"
