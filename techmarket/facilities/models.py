"""Concept-verification centres, pilot bases and shared instruments; bookings of their services and the
verification / pilot projects they run.

States move only through ``techmarket.workflow`` (facilities, projects) and ``techmarket.decisions``
(bookings). An instrument's time slots are kept free of double booking by ``services.booking_open`` and
``services.booking_decide``, which lock the facility row before looking for overlaps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Industry, Region


class Facility(models.Model):
    """A 概念验证中心, 中试基地 or shared instrument, owned by an organisation; piloted first, recognised later."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("概念验证中心")
        PILOT = "pilot", _("中试基地")
        INSTRUMENT = "instrument", _("共享仪器")

    class Status(models.TextChoices):
        TRIAL = "trial", _("试点")
        RECOGNISED = "recognised", _("已认定")
        REVOKED = "revoked", _("已撤销")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        Organization, verbose_name=_("依托单位"), on_delete=models.PROTECT, related_name="facilities"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("服务行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain_node = models.ForeignKey(
        ChainNode,
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("简介与服务内容"), max_length=4000)
    capacity = models.PositiveIntegerField(
        _("年服务能力（项）"), default=0, help_text=_("每年可承接的验证、中试或检测项目数")
    )
    equipment = models.TextField(_("主要设备"), blank=True, max_length=4000, help_text=_("每行一台（套）"))
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.TRIAL, db_index=True
    )
    status_note = models.CharField(_("状态说明"), max_length=500, blank=True)
    recognised_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("服务平台")
        verbose_name_plural = _("服务平台")

    def __str__(self) -> str:
        return self.name

    @property
    def equipment_list(self) -> list[str]:
        return [line.strip() for line in self.equipment.splitlines() if line.strip()]

    @property
    def books_slots(self) -> bool:
        """Instruments are booked by the hour: their slots must not overlap."""
        return self.kind == self.Kind.INSTRUMENT


class Booking(DecisionRequest):
    """An organisation asks a facility for a service or an instrument slot; the facility accepts or declines
    with a reason. Optionally part of an engagement (the deal the service serves)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("服务平台"), on_delete=models.CASCADE, related_name="bookings"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="facility_bookings"
    )
    service = models.CharField(
        _("所需服务"), max_length=120, help_text=_("例如：原理验证、样机试制、检验检测")
    )
    message = models.CharField(_("需求说明"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("所属对接项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("服务预约")
        verbose_name_plural = _("服务预约")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=models.F("starts_at")),
                name="facility_booking_slot_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.facility}：{self.service}"


HOLDING_BOOKING = (Booking.Status.PENDING, Booking.Status.ACCEPTED)


class Project(models.Model):
    """A verification or pilot project run at a facility; its outcome (verified, then transferred) is
    recorded through the workflow, so "verified → transferred" is counted, not typed."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        VERIFIED = "verified", _("已通过验证")
        TRANSFERRED = "transferred", _("已转化")
        STOPPED = "stopped", _("已终止")

    facility = models.ForeignKey(
        Facility, verbose_name=_("服务平台"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=120)
    team = models.CharField(_("项目团队"), max_length=200, blank=True)
    goals = models.TextField(_("验证目标"), max_length=2000, blank=True)
    results = models.TextField(_("验证结果"), max_length=2000, blank=True)
    transferred_to = models.CharField(_("转化去向"), max_length=200, blank=True)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("所属对接项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("来自预约"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    status_note = models.CharField(_("状态说明"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("验证通过时间"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("转化时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("验证与中试项目")
        verbose_name_plural = _("验证与中试项目")

    def __str__(self) -> str:
        return self.title
