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
from techmarket.core.text import word_list
from techmarket.decisions.models import DecisionRequest
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Discipline, Industry, Region

# Whole words, so a translator sees "周一" → "Mon" and "%(first)s至%(last)s" → "%(first)s–%(last)s".
WEEKDAY_NAMES = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


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
    # Several fields per facility (a centre serves more than one division, discipline and chain link), the
    # way experts and funds hold theirs; matching and the figures read every code.
    industries = models.ManyToManyField(
        Industry,
        verbose_name=_("服务行业"),
        blank=True,
        related_name="+",
        help_text=_("GB/T 4754 行业，可多选"),
    )
    disciplines = models.ManyToManyField(
        Discipline,
        verbose_name=_("学科"),
        blank=True,
        related_name="+",
        help_text=_("GB/T 13745 学科，可多选"),
    )
    chain_nodes = models.ManyToManyField(
        ChainNode, verbose_name=_("产业链环节"), blank=True, related_name="+", help_text=_("可多选")
    )
    summary = models.TextField(_("简介与服务内容"), max_length=4000)
    capacity = models.PositiveIntegerField(
        _("年服务能力（项）"), default=0, help_text=_("每年可承接的验证、中试或检测项目数")
    )
    equipment = models.TextField(_("主要设备"), blank=True, max_length=4000, help_text=_("每行一台（套）"))
    opens_at = models.TimeField(
        _("开放时间（起）"), null=True, blank=True, help_text=_("北京时间；不填表示全天开放")
    )
    closes_at = models.TimeField(_("开放时间（止）"), null=True, blank=True)
    open_weekdays = models.CharField(
        _("开放日"), max_length=7, default="1234567", help_text=_("星期几开放，例如 12345 表示周一至周五")
    )
    parallel_capacity = models.PositiveSmallIntegerField(
        _("同时可承接的预约数"), default=1, help_text=_("同一时段最多可排期的服务数；共享仪器一般为 1")
    )
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
    def open_weekdays_display(self) -> str:
        """The opening days in words: 每天, 周一至周五 (a run of three or more), else 周一、周三、周五."""
        days = sorted({int(c) for c in self.open_weekdays if c in "1234567"})
        if len(days) == 7:
            return str(_("每天"))
        if not days:
            return str(_("不开放"))
        if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
            return str(_("%(first)s至%(last)s")) % {
                "first": WEEKDAY_NAMES[days[0] - 1],
                "last": WEEKDAY_NAMES[days[-1] - 1],
            }
        return word_list(WEEKDAY_NAMES[d - 1] for d in days)

    @property
    def equipment_list(self) -> list[str]:
        return [line.strip() for line in self.equipment.splitlines() if line.strip()]

    @property
    def books_slots(self) -> bool:
        """Instruments are booked by the hour: their slots must not overlap."""
        return self.kind == self.Kind.INSTRUMENT


class FacilityService(models.Model):
    """One entry of a facility's service catalogue: what it offers, per which unit, at what price (or 面议),
    how long it takes and what the requester must bring."""

    class Kind(models.TextChoices):
        PRINCIPLE = "principle", _("原理验证")
        PROTOTYPE = "prototype", _("样机试制")
        SMALL_BATCH = "small_batch", _("小批量试产")
        TESTING = "testing", _("检验检测")
        SCALE_UP = "scale_up", _("工艺放大")
        MACHINE_HOURS = "machine_hours", _("机时")
        OTHER = "other", _("其他")

    facility = models.ForeignKey(
        Facility, verbose_name=_("服务平台"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("服务名称"), max_length=120)
    kind = models.CharField(_("服务类别"), max_length=16, choices=Kind.choices, db_index=True)
    unit = models.CharField(_("计价单位"), max_length=20, help_text=_("例如：项、小时、批次、样品"))
    price = models.DecimalField(
        _("单价（元）"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("不填表示面议")
    )
    lead_time_days = models.PositiveSmallIntegerField(_("周期（天）"), default=0)
    requirements = models.TextField(_("需求方须提供"), max_length=1000, blank=True)
    description = models.TextField(_("服务说明"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("在提供"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["facility_id", "kind", "name", "pk"]
        verbose_name = _("平台服务")
        verbose_name_plural = _("平台服务")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="facility_service_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility}：{self.name}"

    @property
    def negotiable(self) -> bool:
        return self.price is None


class Booking(DecisionRequest):
    """An organisation asks a facility for a service (an order): request → quote → accept → schedule →
    deliver (with a report document) → evaluate. The first step is a decision request (the facility quotes
    or declines with a reason); the rest moves through the ``facilities.order`` workflow. Optionally part of
    an engagement (the deal the service serves)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待报价")
        QUOTED = "quoted", _("已报价")
        ACCEPTED = "accepted", _("已接受报价")
        SCHEDULED = "scheduled", _("已排期")
        DELIVERED = "delivered", _("已交付")
        EVALUATED = "evaluated", _("已评价")
        DECLINED = "declined", _("已谢绝")
        WITHDRAWN = "withdrawn", _("已撤回")
        CANCELLED = "cancelled", _("已取消")

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
    facility_service = models.ForeignKey(
        FacilityService,
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    quote_price = models.DecimalField(_("报价（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    quote_date = models.DateField(_("预计交付日期"), null=True, blank=True)
    quote_note = models.CharField(_("报价说明"), max_length=500, blank=True)
    quoted_at = models.DateTimeField(_("报价时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接受报价时间"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("排期时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    report = models.ForeignKey(
        "documents.Document",
        verbose_name=_("服务报告"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("评分（1–5）"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    order_note = models.CharField(_("办理说明"), max_length=500, blank=True)

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
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="facility_booking_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(quote_price__isnull=True) | Q(quote_price__gte=0),
                name="facility_booking_quote_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.facility}：{self.service}"


# Bookings whose time slot is taken (a declined, withdrawn or cancelled one frees it).
HOLDING_BOOKING = (
    Booking.Status.PENDING,
    Booking.Status.QUOTED,
    Booking.Status.ACCEPTED,
    Booking.Status.SCHEDULED,
    Booking.Status.DELIVERED,
    Booking.Status.EVALUATED,
)
# Bookings the facility has committed to (counted in the capacity calendar against opening hours).
COMMITTED_BOOKING = (
    Booking.Status.ACCEPTED,
    Booking.Status.SCHEDULED,
    Booking.Status.DELIVERED,
    Booking.Status.EVALUATED,
)


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


class Recognition(models.Model):
    """A recognition round of one facility (先试点、后认定): the owner applies (or the operator opens a periodic
    evaluation of a recognised facility); an expert panel (challenges.Panel, with this round as its subject and
    its only entry) scores it on the criteria the operator sets; the operator decides with reasons; the
    decision is published (公示) and objections are answered; then the facility is 已认定 with a date — or, for
    an evaluation that failed, 已撤销."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("认定申报")
        EVALUATION = "evaluation", _("定期评价")

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("待评审")
        PUBLICITY = "publicity", _("公示中")
        PASSED = "passed", _("已通过")
        FAILED = "failed", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    facility = models.ForeignKey(
        Facility, verbose_name=_("服务平台"), on_delete=models.CASCADE, related_name="recognitions"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.APPLICATION)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.REVIEWING, db_index=True
    )
    statement = models.TextField(
        _("申报说明"), max_length=4000, help_text=_("建设运行情况、服务成效、团队与设备条件等")
    )
    period = models.CharField(_("评价周期"), max_length=32, blank=True, help_text=_("例如：2026 年度"))
    outcome = models.BooleanField(_("运营决定通过"), null=True, blank=True)
    status_note = models.TextField(_("决定理由"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    publicity_until = models.DateTimeField(_("公示截止"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("认定与评价")
        verbose_name_plural = _("认定与评价")
        constraints = [
            models.UniqueConstraint(
                fields=["facility"],
                condition=Q(status__in=["reviewing", "publicity"]),
                name="facility_one_open_recognition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} · {self.get_kind_display()}"


class RecognitionObjection(DecisionRequest):
    """An objection raised during a recognition's publicity period (公示); an operator must answer it."""

    recognition = models.ForeignKey(
        Recognition, verbose_name=_("认定与评价"), on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("异议人"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("异议内容"), max_length=2000)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("认定公示异议")
        verbose_name_plural = _("认定公示异议")

    def __str__(self) -> str:
        return f"{self.recognition} · {self.get_status_display()}"
