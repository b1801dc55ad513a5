"""Technology contracts (技术合同): types as operator data, parties, amounts, schedule, registration.

The contract types and subtypes are rows of ``ContractType`` (loaded from the 民法典 table, editable by
operators: the 2026 技术合同认定登记管理办法 may change them), never an enum in code.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry, Region


class ContractType(models.Model):
    """One type/subtype of technology contract (技术开发 / 委托开发 …) with its legal basis."""

    type_name = models.CharField(_("合同类别"), max_length=32)
    subtype_name = models.CharField(_("合同子类"), max_length=80)
    legal_basis = models.CharField(_("法律依据"), max_length=120, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("可选用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("技术合同类型")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["type_name", "subtype_name"], name="contracts_type_unique")
        ]

    def __str__(self) -> str:
        if self.subtype_name == self.type_name:
            return self.type_name
        return f"{self.type_name}-{self.subtype_name}"


class PaymentMode(models.TextChoices):
    LUMP_SUM = "lump_sum", _("一次性")
    INSTALMENTS = "instalments", _("分期")
    ROYALTY = "royalty", _("提成")
    EQUITY = "equity", _("作价入股")
    USE_FIRST = "use_first", _("先使用后付费")


class TechContract(models.Model):
    """A technology contract and its registration (技术合同认定登记)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待提交")
        SUBMITTED = "submitted", _("待认定")
        REGISTERED = "registered", _("已登记")
        REFUSED = "refused", _("不予登记")

    title = models.CharField(_("合同名称"), max_length=160)
    contract_number = models.CharField(_("合同编号"), max_length=64, blank=True)
    external_key = models.CharField(_("外部编号"), max_length=64, blank=True, db_index=True)
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("合同类型"), on_delete=models.PROTECT, related_name="contracts"
    )
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("履行期限起"), null=True, blank=True)
    ends_on = models.DateField(_("履行期限止"), null=True, blank=True)
    total_amount = models.DecimalField(_("合同成交额（元）"), max_digits=16, decimal_places=2)
    technical_amount = models.DecimalField(
        _("技术交易额（元）"),
        max_digits=16,
        decimal_places=2,
        help_text=_("成交额减去逐项列明的非技术性费用，由平台计算。"),
    )
    payment_mode = models.CharField(_("支付方式"), max_length=16, choices=PaymentMode.choices)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("应用行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("对接项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        help_text=_("合同来自的对接项目；合同也可以单独录入。"),
    )
    achievements = models.ManyToManyField(
        "achievements.Achievement", verbose_name=_("关联科技成果"), blank=True, related_name="contracts"
    )
    patent_numbers = models.TextField(_("关联专利号"), blank=True, help_text=_("多个专利号用“、”分隔。"))
    summary = models.TextField(_("主要技术内容"), blank=True)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("登记申请单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("录入或导入该合同的机构（通常为卖方）。"),
    )
    status = models.CharField(_("登记状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    registration_number = models.CharField(_("登记编号"), max_length=64, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    review_note = models.TextField(_("认定意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("认定时限"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("技术合同")
        verbose_name_plural = verbose_name
        # The statistics place a contract in a month by these dates: refreshing a month of a contract figure
        # after a write filters on them (with 100,000 contracts an index scan instead of a sequential one).
        indexes = [
            models.Index(fields=["signed_on"], name="contracts_signed_on_idx"),
            models.Index(fields=["registered_on"], name="contracts_registered_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gte=0)
                & Q(technical_amount__gte=0)
                & Q(technical_amount__lte=models.F("total_amount")),
                name="contracts_amounts_ordered",
            ),
            models.UniqueConstraint(
                fields=["owner", "external_key"],
                condition=~Q(external_key=""),
                name="contracts_external_key_unique",
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="contracts_registration_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def party(self, role: str) -> "ContractParty | None":
        return next((p for p in self.parties.all() if p.role == role), None)

    @property
    def buyer(self) -> "ContractParty | None":
        return self.party(ContractParty.Role.BUYER)

    @property
    def seller(self) -> "ContractParty | None":
        return self.party(ContractParty.Role.SELLER)

    @property
    def received_total(self) -> Decimal:
        return sum((p.amount for p in self.payments.all()), Decimal("0"))


class ContractParty(models.Model):
    """A party as written in the contract; linked to a platform organisation when there is one."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("买方（委托方/受让方/被许可方）")
        SELLER = "seller", _("卖方（受托方/让与方/许可方）")

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("平台机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=128)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    kind = models.CharField(_("主体类型"), max_length=16, choices=Organization.Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contract", "role", "pk"]
        verbose_name = _("合同当事人")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.name}"


class Deduction(models.Model):
    """A non-technical cost itemised out of the total (设备、原材料、场地…): 技术交易额 = total − Σ deductions."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="deductions")
    item = models.CharField(_("非技术性费用项目"), max_length=80)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name = _("非技术性费用")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_deduction_positive")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class Instalment(models.Model):
    """One agreed payment of the schedule (支付计划)."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="schedule")
    due_on = models.DateField(_("约定付款日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        ordering = ["contract", "due_on", "pk"]
        verbose_name = _("付款计划")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_instalment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class Payment(models.Model):
    """Money received (到账), optionally against one instalment of the schedule."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="payments")
    instalment = models.ForeignKey(
        Instalment,
        verbose_name=_("对应付款计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    received_on = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("到账金额（元）"), max_digits=16, decimal_places=2)
    note = models.CharField(_("说明"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "received_on", "pk"]
        verbose_name = _("到账记录")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_payment_positive")]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"
