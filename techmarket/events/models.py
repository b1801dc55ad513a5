"""Matchmaking events and roadshows: the event, who registers, one-to-one meetings and their outcomes.

States move only through ``techmarket.workflow`` (events, registrations) and ``techmarket.decisions``
(meeting requests); the timetable is guarded by database constraints (``MeetingSeat``: nobody sits in two
meetings of the same slot; ``MeetingRequest``: one meeting per table and slot).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.decisions.models import DecisionRequest
from techmarket.orgs.models import Organization

# Check-in codes: no 0/O, 1/I/L, so that a code read aloud at the door is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


class Event(models.Model):
    """A matchmaking event, roadshow or visit, run by an organiser organisation."""

    class Kind(models.TextChoices):
        ROADSHOW = "roadshow", _("路演")
        MATCHMAKING = "matchmaking", _("对接会")
        CAMPUS = "campus", _("名校直通车")
        SALON = "salon", _("技术沙龙")
        TRAINING = "training", _("培训")
        LIVE = "live", _("线上直播")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("报名中")
        CLOSED = "closed", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("活动类型"), max_length=16, choices=Kind.choices)
    organiser = models.ForeignKey(
        Organization, verbose_name=_("主办机构"), on_delete=models.PROTECT, related_name="organised_events"
    )
    summary = models.TextField(_("活动简介"), max_length=4000)
    fields = models.CharField(
        _("领域与产业链"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔，例如：新能源、储能")
    )
    audience = models.CharField(
        _("面向对象"), max_length=200, blank=True, help_text=_("例如：企业、高校院所、投资机构、技术经纪人")
    )
    agenda = models.TextField(_("议程"), blank=True, max_length=4000)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    capacity = models.PositiveIntegerField(_("名额"), help_text=_("确认参会的人数上限；满员后进入候补"))
    registration_deadline = models.DateTimeField(_("报名截止"))
    requires_approval = models.BooleanField(_("报名需主办方审核"), default=False)
    meetings_start = models.DateTimeField(_("洽谈开始时间"), null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(_("每场洽谈（分钟）"), default=20)
    meeting_slots = models.PositiveSmallIntegerField(_("洽谈时段数"), default=0)
    meeting_tables = models.PositiveSmallIntegerField(_("洽谈桌数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_note = models.CharField(_("状态说明"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def slot_times(self) -> list[tuple[int, datetime, datetime]]:
        """(index, start, end) of each one-to-one meeting slot; none when the event has no meetings."""
        if self.meetings_start is None or not self.meeting_slots or not self.meeting_tables:
            return []
        step = timedelta(minutes=self.meeting_minutes)
        return [
            (i, self.meetings_start + i * step, self.meetings_start + (i + 1) * step)
            for i in range(self.meeting_slots)
        ]

    @property
    def has_meetings(self) -> bool:
        return bool(self.slot_times())


class Registration(models.Model):
    """One person's registration, alone or for their organisation, with what they bring."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        CONFIRMED = "confirmed", _("已确认")
        WAITLISTED = "waitlisted", _("候补")
        REJECTED = "rejected", _("未通过")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已签到")

    class Role(models.TextChoices):
        ATTENDEE = "attendee", _("参会")
        PRESENTER = "presenter", _("路演项目")

    class Visibility(models.TextChoices):
        PARTICIPANTS = "participants", _("对本活动参会者可见")
        ORGANISER = "organiser", _("仅主办方可见")

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("代表机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("参会身份"), max_length=16, choices=Role.choices, default=Role.ATTENDEE)
    intro = models.CharField(
        _("参会介绍"), max_length=300, blank=True, help_text=_("希望对接什么、能提供什么")
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=_("携带的技术需求"), blank=True, related_name="+"
    )
    achievements = models.ManyToManyField(
        "achievements.Achievement", verbose_name=_("携带的科技成果"), blank=True, related_name="+"
    )
    visibility = models.CharField(
        _("在参会名单中"), max_length=16, choices=Visibility.choices, default=Visibility.PARTICIPANTS
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, db_index=True)
    status_note = models.CharField(_("处理意见"), max_length=500, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=16, unique=True, default=new_checkin_code)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [
            # One live registration per person and event (cancelled/rejected ones may be followed by a new one).
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status__in=["cancelled", "rejected"]),
                name="event_registration_one_live_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} @ {self.event_id}"

    @property
    def display_name(self) -> str:
        person = str(self.user)
        org = self.organization
        return f"{person}（{org.name}）" if org is not None else person

    @property
    def is_in(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.ATTENDED)


ACTIVE_REGISTRATION = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)
COUNTED_REGISTRATION = (
    Registration.Status.PENDING,
    Registration.Status.CONFIRMED,
    Registration.Status.ATTENDED,
)


class MeetingRequest(DecisionRequest):
    """A one-to-one meeting asked by one participant of another; the other side accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Outcome(models.TextChoices):
        NONE = "", _("未填写")
        NOT_HELD = "not_held", _("未举行")
        NO_FOLLOW_UP = "no_follow_up", _("无后续")
        CONTINUE = "continue", _("继续接洽")
        ENGAGEMENT = "engagement", _("已立项对接")
        AGREEMENT = "agreement", _("已签约")

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="meetings"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(
        Registration, verbose_name=_("发起方"), on_delete=models.CASCADE, related_name="meetings_asked"
    )
    invitee = models.ForeignKey(
        Registration, verbose_name=_("受邀方"), on_delete=models.CASCADE, related_name="meetings_received"
    )
    message = models.CharField(_("留言"), max_length=300, blank=True)
    suggested = models.BooleanField(_("来自匹配推荐"), default=False)
    slot = models.PositiveSmallIntegerField(_("时段"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("桌号"), null=True, blank=True)
    outcome = models.CharField(_("洽谈结果"), max_length=16, choices=Outcome.choices, blank=True, default="")
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    outcome_note = models.CharField(_("结果说明"), max_length=500, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_at = models.DateTimeField(_("结果填写时间"), null=True, blank=True)
    # The hook for the engagements app: the engagement opened from this meeting, once one is (see hooks.py).
    engagement_id = models.PositiveIntegerField(_("对接项目编号"), null=True, blank=True)

    class Meta:
        ordering = ["slot", "table", "created_at", "pk"]
        verbose_name = _("洽谈预约")
        verbose_name_plural = _("洽谈预约")
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=models.F("invitee")), name="meeting_not_with_oneself"
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=Q(slot__isnull=False),
                name="meeting_one_per_table_slot",
            ),
            models.UniqueConstraint(
                fields=["requester", "invitee"],
                condition=Q(status__in=["pending", "accepted"]),
                name="meeting_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="meeting_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester.display_name} ↔ {self.invitee.display_name}"

    def slot_window(self) -> tuple[datetime, datetime] | None:
        if self.slot is None:
            return None
        for index, start, end in self.event.slot_times():
            if index == self.slot:
                return start, end
        return None


class MeetingSeat(models.Model):
    """A participant's place in one slot: the unique constraint is what makes double booking impossible,
    also when two people accept meetings with the same participant at the same moment."""

    meeting = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="seats")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="seats")
    slot = models.PositiveSmallIntegerField(_("时段"))

    class Meta:
        ordering = ["slot", "pk"]
        verbose_name = _("洽谈席位")
        verbose_name_plural = _("洽谈席位")
        constraints = [
            models.UniqueConstraint(fields=["registration", "slot"], name="meeting_seat_one_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}@{self.slot}"


class ProjectInterest(models.Model):
    """An investor's or enterprise's interest in a roadshow project, registered during or after the session."""

    presenter = models.ForeignKey(
        Registration, verbose_name=_("路演项目"), on_delete=models.CASCADE, related_name="interests"
    )
    participant = models.ForeignKey(
        Registration, verbose_name=_("意向方"), on_delete=models.CASCADE, related_name="interests_shown"
    )
    note = models.CharField(_("意向说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("项目意向")
        verbose_name_plural = _("项目意向")
        constraints = [
            models.UniqueConstraint(fields=["presenter", "participant"], name="project_interest_once"),
            models.CheckConstraint(
                condition=~Q(presenter=models.F("participant")), name="project_interest_not_own"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.presenter_id}"
