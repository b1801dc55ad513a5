"""The policy library (政策库), its eligibility rules, the pushes sent and 直达快享 applications.

A policy is written by operators (draft), published (pushed to matching enterprises) and withdrawn
through ``workflow.POLICY``; every publish or rule change bumps ``version``, and a push is recorded once per
(policy, organisation, version) — the database refuses a second one. Applications are requests
(``decisions.DecisionRequest``): pending → approved with an amount (≤ the policy's maximum) or rejected,
then paid (``workflow.PAYMENT``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest
from techmarket.orgs.models import Organization
from techmarket.reference.models import Region

from .rules import Rule


class Policy(models.Model):
    """A support policy: issuer, level, support type, amounts, validity and eligibility rules."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家")
        PROVINCIAL = "provincial", _("省")
        MUNICIPAL = "municipal", _("市")
        COUNTY = "county", _("县区")

    class SupportType(models.TextChoices):
        SUBSIDY = "subsidy", _("资金补贴")
        TAX = "tax", _("税收优惠")
        AWARD = "award", _("奖励")
        LOAN_INTEREST = "loan_interest", _("贷款贴息")
        VOUCHER = "voucher", _("创新券")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已停止")

    title = models.CharField(_("政策名称"), max_length=160)
    issuer = models.CharField(_("发文单位"), max_length=120)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("适用地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_type = models.CharField(_("支持方式"), max_length=16, choices=SupportType.choices, db_index=True)
    summary = models.TextField(_("政策要点"), max_length=4000)
    amount_text = models.CharField(
        _("支持标准"), max_length=200, blank=True, help_text=_("例如：按研发投入增量的 10% 补助")
    )
    max_amount = models.DecimalField(
        _("单个企业最高金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    allows_application = models.BooleanField(
        _("直达快享"), default=False, help_text=_("符合条件的企业可在线申请，主管部门审核后直接拨付。")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_note = models.CharField(_("状态说明"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="policy_validity_in_order",
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=0), name="policy_max_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def rule_list(self) -> list[Rule]:
        return [r.as_rule() for r in self.rules.all()]

    def open_on(self, day: object) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (  # type: ignore[operator]
            self.valid_until is None or self.valid_until >= day  # type: ignore[operator]
        )


class PolicyRule(models.Model):
    """One eligibility condition: a registered fact, an operator and its values (see rules.py)."""

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="rules")
    fact = models.CharField(_("条件"), max_length=48)
    op = models.CharField(_("运算"), max_length=16)
    values = models.JSONField(_("取值"), default=list)
    valid_through = models.DateField(_("资质有效期至少到"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["policy", "position", "pk"]
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")

    def __str__(self) -> str:
        from .rules import describe

        return describe(self.as_rule())

    def as_rule(self) -> Rule:
        return Rule(self.fact, self.op, tuple(str(v) for v in self.values), self.valid_through)


class PolicyPush(models.Model):
    """A policy told to an enterprise, with the reasons at that time; once per policy version."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="pushes")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="policy_pushes")
    version = models.PositiveIntegerField(_("政策版本"))
    eligible = models.BooleanField(_("完全符合"), default=True)
    reasons = models.JSONField(_("理由"), default=list)
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "organization", "version"], name="policy_push_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} → {self.organization}"


class PolicyApplication(DecisionRequest):
    """直达快享: an enterprise applies; the bureau approves an amount (≤ the maximum) or refuses; then pays."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已核定")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")
        PAID = "paid", _("已拨付")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("申请企业"), on_delete=models.PROTECT, related_name="policy_applications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_amount = models.DecimalField(_("申请金额（元）"), max_digits=14, decimal_places=2)
    statement = models.TextField(_("申请说明"), max_length=2000)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    reasons = models.JSONField(_("申请时的符合情况"), default=list)
    approved_amount = models.DecimalField(
        _("核定金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    paid_amount = models.DecimalField(
        _("拨付金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment_reference = models.CharField(_("拨付凭证号"), max_length=64, blank=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("直达快享申请")
        verbose_name_plural = _("直达快享申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0), name="policy_application_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="policy_application_approved_positive",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True)
                | Q(approved_amount__isnull=False, paid_amount__lte=F("approved_amount")),
                name="policy_application_paid_within_approved",
            ),
            models.UniqueConstraint(
                fields=["policy", "organization"],
                condition=Q(status__in=["pending", "approved", "paid"]),
                name="policy_application_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.policy}"


OPEN_APPLICATION = (
    PolicyApplication.Status.PENDING,
    PolicyApplication.Status.APPROVED,
    PolicyApplication.Status.PAID,
)
