"""Organisations, memberships with roles, and requests to join an organisation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.decisions.models import DecisionRequest
from techmarket.reference.models import Industry, Region

from .validators import validate_uscc_format


class OrganizationTag(models.Model):
    """A qualification label such as 高新技术企业, 科技型中小企业, 专精特新."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("机构标签")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """An enterprise, university, institute, service agency, investor or government unit."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")
        SERVICE = "service", _("服务机构")
        INVESTOR = "investor", _("投资机构")
        GOVERNMENT = "government", _("政府部门")
        # Kinds named by the regional transfer policies (新型研发机构认定、产业研究院、创新联合体).
        INDUSTRY_INSTITUTE = "industry_ri", _("产业研究院")
        CONSORTIUM = "consortium", _("创新联合体")
        NEW_RD = "new_rd", _("新型研发机构")
        # Finance (issue 15): banks and their 科技支行, and financing guarantee institutions.
        BANK = "bank", _("银行/科技支行")
        GUARANTOR = "guarantor", _("融资担保机构")

    class Recognition(models.TextChoices):
        NONE = "", _("未认定")
        PROVINCIAL = "provincial", _("省级")
        MUNICIPAL = "municipal", _("市级")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")
        SUSPENDED = "suspended", _("已停用")

    name = models.CharField(_("机构名称"), max_length=128, unique=True)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("机构类型"), max_length=16, choices=Kind.choices)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc_format]
    )
    uscc_override_reason = models.CharField(
        _("校验例外原因"),
        max_length=200,
        blank=True,
        help_text=_("少数早期试点地区的真实代码无法通过校验，经运营人员核实后可登记例外原因。"),
    )
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recognition_level = models.CharField(
        _("认定级别"),
        max_length=16,
        choices=Recognition.choices,
        default=Recognition.NONE,
        db_default=Recognition.NONE,
        blank=True,
        help_text=_("技术转移服务机构、新型研发机构等由科技主管部门认定的级别。"),
    )
    tags = models.ManyToManyField(OrganizationTag, verbose_name=_("资质标签"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_platform_operator = models.BooleanField(
        _("平台运营单位"), default=False, help_text=_("只有平台运营单位的成员可以担任平台运营角色。")
    )
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("审核时限"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("机构管理员")
    MEMBER = "member", _("成员")
    BROKER = "broker", _("技术经理人（经纪人）")
    EXPERT = "expert", _("专家")
    OPERATOR = "operator", _("平台运营")
    BUREAU = "bureau", _("科技局用户")


class BrokerLevel(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")


class Membership(models.Model):
    """A user's role in an organisation. A user may hold several roles, each its own row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    broker_level = models.CharField(_("经纪人等级"), max_length=16, choices=BrokerLevel.choices, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=64, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "role"]
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=~models.Q(role="broker") | ~models.Q(broker_level=""),
                name="membership_broker_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class JoinRequest(DecisionRequest):
    """A user's request to join an organisation, decided by the organisation's admin (see orgs.workflow)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已拒绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="join_requests"
    )
    role = models.CharField(_("申请角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    message = models.CharField(_("申请说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("加入申请")
        verbose_name_plural = _("加入申请")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization}"


class RevenueRange(models.TextChoices):
    """Annual revenue bands (万元), coarse enough that enterprises are willing to state them."""

    UNDER_500 = "lt500", _("500 万元以下")
    FROM_500 = "500_2000", _("500–2000 万元")
    FROM_2000 = "2000_5000", _("2000–5000 万元")
    FROM_5000 = "5000_20000", _("5000 万元–2 亿元")
    FROM_20000 = "20000_100000", _("2–10 亿元")
    OVER_100000 = "gte100000", _("10 亿元以上")


class EnterpriseProfile(models.Model):
    """What an enterprise makes and can do, used for matching and targeted policy push."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="enterprise_profile"
    )
    main_products = models.TextField(_("主营产品"), max_length=2000, blank=True)
    core_capabilities = models.TextField(_("核心技术能力"), max_length=2000, blank=True)
    rd_staff_count = models.PositiveIntegerField(_("研发人员数"), null=True, blank=True)
    total_staff = models.PositiveIntegerField(_("职工总数"), null=True, blank=True)
    annual_revenue_range = models.CharField(
        _("年营业收入"), max_length=16, choices=RevenueRange.choices, blank=True
    )
    rd_spending_ratio = models.DecimalField(
        _("研发投入占比（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(
        _("成立日期"), null=True, blank=True, help_text=_("营业执照上的成立日期，政策按企业成立年限判断。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("企业画像")
        verbose_name_plural = _("企业画像")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rd_spending_ratio__isnull=True)
                | models.Q(rd_spending_ratio__gte=0, rd_spending_ratio__lte=100),
                name="enterprise_profile_rd_ratio_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(rd_staff_count__isnull=True)
                | models.Q(total_staff__isnull=True)
                | models.Q(rd_staff_count__lte=models.F("total_staff")),
                name="enterprise_profile_rd_staff_within_total",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)


class CertificationRecord(models.Model):
    """Evidence for a qualification tag (e.g. 高新技术企业): certificate number and validity."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="certifications"
    )
    tag = models.ForeignKey(
        OrganizationTag, verbose_name=_("资质"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("证书编号"), max_length=64, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["organization__name", "tag__sort_order", "pk"]
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        constraints = [
            models.UniqueConstraint(fields=["organization", "tag"], name="certification_one_per_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.tag}"
