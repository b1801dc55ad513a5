"""Finance (金融服务): innovation points (企业创新积分制), finance products of banks and guarantors, loan
applications with the enterprise's consent, and loans granted.

Points are computed (``finance.points``) from platform data and from declarations an operator verified;
every recompute that changes something leaves a ``PointsSnapshot`` with every line, so an enterprise's
history and each point's explanation stay readable.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest
from techmarket.orgs.models import Organization


class Source(models.TextChoices):
    """Where an indicator's quantity comes from: a declaration an operator verified, or platform data."""

    RD_RATIO = "rd_ratio", _("研发投入占营业收入比例")
    RD_SPEND = "rd_spend", _("年度研发投入")
    INVENTION_PATENTS = "invention_patents", _("授权发明专利")
    RD_STAFF = "rd_staff", _("研发人员")
    CONTRACTS = "contracts", _("平台登记的技术合同")
    ENGAGEMENTS = "engagements", _("平台对接项目")
    PROJECTS = "projects", _("通过验证的概念验证/中试项目")
    QUALIFICATIONS = "qualifications", _("有效期内的资质证书")


DECLARED_SOURCES = (Source.RD_RATIO, Source.RD_SPEND, Source.INVENTION_PATENTS, Source.RD_STAFF)
UNITS: dict[str, Any] = {
    Source.RD_RATIO: _("个百分点"),
    Source.RD_SPEND: _("万元"),
    Source.INVENTION_PATENTS: _("件"),
    Source.RD_STAFF: _("人"),
    Source.CONTRACTS: _("项"),
    Source.ENGAGEMENTS: _("项"),
    Source.PROJECTS: _("项"),
    Source.QUALIFICATIONS: _("项"),
}


class IndicatorGroup(models.Model):
    """A group of indicators (研发投入, 知识产权, 人才, 成果转化 …) with an optional group maximum."""

    name = models.CharField(_("指标组"), max_length=32, unique=True)
    cap = models.DecimalField(
        _("本组上限（分）"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空为不设上限"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("创新积分指标组")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=0), name="finance_group_cap_gte_0"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator: quantity (from its source) × points per unit, at most ``cap`` points."""

    group = models.ForeignKey(
        IndicatorGroup, verbose_name=_("指标组"), on_delete=models.CASCADE, related_name="indicators"
    )
    source = models.CharField(_("数据来源"), max_length=24, choices=Source.choices, unique=True)
    label = models.CharField(_("指标名称"), max_length=40)
    points_per_unit = models.DecimalField(_("每单位分值"), max_digits=7, decimal_places=2)
    cap = models.DecimalField(
        _("上限（分）"), max_digits=7, decimal_places=2, null=True, blank=True, help_text=_("留空为不设上限")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["group__sort_order", "sort_order", "pk"]
        verbose_name = _("创新积分指标")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_unit__gte=0), name="finance_indicator_points_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=0), name="finance_indicator_cap_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def unit(self) -> str:
        return str(UNITS.get(self.source, ""))


class Declaration(DecisionRequest):
    """A figure an enterprise declares (R&D spend, patents …) with evidence; counts once an operator verified it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        APPROVED = "approved", _("已核验")
        REJECTED = "rejected", _("已退回")
        WITHDRAWN = "withdrawn", _("已撤回")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="points_declarations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(
        _("申报指标"), max_length=24, choices=[(s.value, s.label) for s in DECLARED_SOURCES]
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("申报数值"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("创新积分申报")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="finance_declaration_value_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_source_display()} {self.year}"


class PointsSnapshot(models.Model):
    """One recompute of an enterprise's points, with every line and its explanation (the history)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="points_snapshots"
    )
    total = models.DecimalField(_("创新积分"), max_digits=8, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=1)
    lines = models.JSONField(_("明细"), default=list)
    reason = models.CharField(_("重算原因"), max_length=120, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True, db_index=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("创新积分记录")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.organization} {self.total}"


class ProductKind(models.TextChoices):
    TRANSFER_LOAN = "transfer_loan", _("成果转化贷")
    TALENT_LOAN = "talent_loan", _("人才贷")
    IP_PLEDGE = "ip_pledge", _("知识产权质押融资")
    CREDIT_LOAN = "credit_loan", _("科技信用贷")
    GUARANTEE = "guarantee", _("融资担保")


class Grade(models.TextChoices):
    A = "A", _("A 级")
    B = "B", _("B 级")
    C = "C", _("C 级")
    D = "D", _("D 级")


PROVIDER_KINDS = (Organization.Kind.BANK, Organization.Kind.GUARANTOR)


class FinanceProduct(models.Model):
    """A loan or guarantee product a bank or guarantor publishes, with its ranges and entry bar."""

    class Status(models.TextChoices):
        OPEN = "open", _("受理中")
        CLOSED = "closed", _("已停办")

    provider = models.ForeignKey(
        Organization, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="finance_products"
    )
    name = models.CharField(_("产品名称"), max_length=80)
    kind = models.CharField(_("产品类型"), max_length=16, choices=ProductKind.choices, db_index=True)
    min_amount = models.DecimalField(_("最低额度（元）"), max_digits=14, decimal_places=2)
    max_amount = models.DecimalField(_("最高额度（元）"), max_digits=14, decimal_places=2)
    min_rate = models.DecimalField(_("最低年利率/费率（%）"), max_digits=5, decimal_places=2)
    max_rate = models.DecimalField(_("最高年利率/费率（%）"), max_digits=5, decimal_places=2)
    min_term_months = models.PositiveSmallIntegerField(_("最短期限（月）"))
    max_term_months = models.PositiveSmallIntegerField(_("最长期限（月）"))
    conditions = models.TextField(_("申请条件"), max_length=2000, blank=True)
    min_points = models.DecimalField(
        _("最低创新积分"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("留空为不限")
    )
    min_grade = models.CharField(_("最低积分等级"), max_length=1, choices=Grade.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("金融产品")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__gt=0, max_amount__gte=F("min_amount")), name="finance_product_amounts"
            ),
            models.CheckConstraint(
                condition=Q(min_rate__gte=0, max_rate__gte=F("min_rate")), name="finance_product_rates"
            ),
            models.CheckConstraint(
                condition=Q(min_term_months__gte=1, max_term_months__gte=F("min_term_months")),
                name="finance_product_terms",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_guarantee(self) -> bool:
        return self.kind == ProductKind.GUARANTEE

    @property
    def min_amount_wan(self) -> Decimal:
        return self.min_amount / 10000

    @property
    def max_amount_wan(self) -> Decimal:
        return self.max_amount / 10000


class ConsentItem(models.TextChoices):
    """What an enterprise may share with a bank, item by item."""

    PROFILE = "profile", _("企业画像（职工、研发人员、营收区间、研发投入占比）")
    POINTS = "points", _("创新积分及每一分的明细")
    CERTIFICATIONS = "certifications", _("资质证书及有效期")


class DataConsent(models.Model):
    """An enterprise's consent that one bank or guarantor sees named items of its data (who, when, which)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="data_consents"
    )
    recipient = models.ForeignKey(
        Organization, verbose_name=_("获授权机构"), on_delete=models.CASCADE, related_name="received_consents"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    items = models.JSONField(_("授权内容"), default=list)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("数据授权")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.organization} → {self.recipient}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def covers(self, item: str) -> bool:
        return self.is_active and item in self.items

    def item_labels(self) -> list[str]:
        return [str(ConsentItem(i).label) for i in self.items if i in ConsentItem.values]


class LoanApplication(DecisionRequest):
    """An enterprise applies to a product; the provider approves (amount, rate, term in range) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未获批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    product = models.ForeignKey(
        FinanceProduct, verbose_name=_("金融产品"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("申请企业"), on_delete=models.PROTECT, related_name="loan_applications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("申请额度（元）"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("申请期限（月）"))
    purpose = models.CharField(_("资金用途"), max_length=300)
    consent = models.OneToOneField(
        DataConsent, verbose_name=_("数据授权"), on_delete=models.PROTECT, related_name="application"
    )
    points_snapshot = models.ForeignKey(
        PointsSnapshot,
        verbose_name=_("申请时的创新积分"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_amount = models.DecimalField(
        _("批准额度（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    approved_rate = models.DecimalField(
        _("批准年利率/费率（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    approved_term_months = models.PositiveSmallIntegerField(_("批准期限（月）"), null=True, blank=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("融资申请")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_application_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.product}"


class Loan(models.Model):
    """A loan (or guarantee) actually granted on an approved application: amount, date, term."""

    application = models.OneToOneField(
        LoanApplication, verbose_name=_("融资申请"), on_delete=models.PROTECT, related_name="loan"
    )
    amount = models.DecimalField(_("放款/担保金额（元）"), max_digits=14, decimal_places=2)
    rate = models.DecimalField(_("年利率/费率（%）"), max_digits=5, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    granted_on = models.DateField(_("放款日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-granted_on", "-pk"]
        verbose_name = _("放款记录")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_loan_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"
