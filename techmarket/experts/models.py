"""Experts and talent (专家/人才): people with fields, affiliation and declared relations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.core.crypto import EncryptedCharField, EncryptedEmailField
from techmarket.decisions.models import DecisionRequest


class Availability(models.TextChoices):
    CHALLENGE = "challenge", _("揭榜攻关")
    CONSULTING = "consulting", _("技术咨询")
    PART_TIME = "part_time", _("兼职/柔性引进")
    ENCLAVE = "enclave", _("人才飞地")
    REVIEW = "review", _("评审专家")


class Expert(models.Model):
    """A researcher or expert. Contact details are shown only as experts.selectors allows."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    name = models.CharField(_("姓名"), max_length=64)
    affiliation = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="experts"
    )
    title = models.CharField(_("职称"), max_length=64, blank=True)
    research_fields = models.TextField(_("研究方向"), max_length=2000)
    bio = models.TextField(_("个人简介"), blank=True, max_length=5000)
    disciplines = models.ManyToManyField("reference.Discipline", verbose_name=_("学科"), blank=True)
    industries = models.ManyToManyField("reference.Industry", verbose_name=_("服务行业"), blank=True)
    availability = models.JSONField(_("合作意向"), default=list, blank=True)
    panel_eligible = models.BooleanField(_("可担任评审专家"), default=False)
    # contact details: encrypted at rest (techmarket.core.crypto), shown as experts.selectors allows
    email = EncryptedEmailField(_("电子邮箱"), blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    related_organizations = models.ManyToManyField(
        "orgs.Organization",
        verbose_name=_("申报的关联单位"),
        blank=True,
        related_name="+",
        help_text=_("用于利益冲突回避：曾任职、兼职、持股或近三年合作的单位。"),
    )
    related_experts = models.ManyToManyField(
        "self", verbose_name=_("申报的合作者"), blank=True, symmetrical=True
    )
    is_active = models.BooleanField(_("有效"), default=True)
    external_key = models.CharField(_("外部编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Reads during a request must come through experts.selectors (catalog.scopes).
    objects = GuardedManager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        constraints = [
            models.UniqueConstraint(
                fields=["affiliation", "external_key"],
                condition=~models.Q(external_key=""),
                name="expert_unique_external_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.affiliation}）"


class ContactPermission(DecisionRequest):
    """A user's request to see an expert's contact details, and the expert's answer (see experts.request_types)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待专家确认")
        ACCEPTED = "accepted", _("已同意")
        DECLINED = "declined", _("已谢绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    expert = models.ForeignKey(
        Expert, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="contact_permissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="expert_contact_permissions",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    message = models.CharField(_("申请说明"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("联系方式授权")
        verbose_name_plural = _("联系方式授权")
        constraints = [
            models.UniqueConstraint(fields=["expert", "user"], name="expert_contact_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.expert.name}（{self.get_status_display()}）"
