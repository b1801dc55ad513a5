"""Innovation vouchers (创新券): the bureau issues them in batches to enterprises, enterprises spend them on
facility bookings, the providers claim the spent amount with evidence and the bureau settles.

A voucher's balance never goes negative: ``services.voucher_spend`` locks the voucher row before it
compares the amount with the balance, and the database refuses a negative balance (check constraint).
A use (``VoucherUse``) moves 已使用 → 已申请兑付 → 已结算 through ``techmarket.workflow`` (``workflow.py``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.scopes import GuardedManager
from techmarket.orgs.models import Organization

ZERO = Decimal("0.00")


class Category(models.TextChoices):
    """What a voucher may buy: the kinds of service platform (``facilities.Facility.Kind``) it pays."""

    VERIFICATION = "verification", _("概念验证服务")
    PILOT = "pilot", _("中试熟化服务")
    INSTRUMENT = "instrument", _("共享仪器机时")


class VoucherBatch(models.Model):
    """One call of the bureau (e.g. 2026 年第一批创新券): a total budget, what the vouchers may buy and
    their validity; the vouchers of a batch never add up to more than its budget."""

    name = models.CharField(_("批次名称"), max_length=120)
    issuer = models.ForeignKey(
        Organization, verbose_name=_("发放单位"), on_delete=models.PROTECT, related_name="voucher_batches"
    )
    budget = models.DecimalField(_("总预算（元）"), max_digits=14, decimal_places=2)
    categories = models.JSONField(_("可购买的服务类别"), default=list)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), help_text=_("含当日，按北京时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("创新券批次")
        verbose_name_plural = _("创新券批次")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="voucher_batch_budget_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="voucher_batch_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        return category_labels(self.categories)


def category_labels(values: list[str]) -> list[str]:
    labels = dict(Category.choices)
    return [str(labels.get(v, v)) for v in values]


class Voucher(models.Model):
    """One enterprise's voucher: an amount, a balance that spending lowers, what it may buy and until when."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVOKED = "revoked", _("已作废")

    class State(models.TextChoices):
        """What the holder sees (derived from the balance, the dates and the uses)."""

        ISSUED = "issued", _("已发放")
        PARTLY_SPENT = "partly_spent", _("部分使用")
        SPENT = "spent", _("已用完")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已作废")

    batch = models.ForeignKey(
        VoucherBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="vouchers"
    )
    code = models.CharField(_("券号"), max_length=32, unique=True)
    holder = models.ForeignKey(
        Organization, verbose_name=_("持券企业"), on_delete=models.PROTECT, related_name="vouchers"
    )
    amount = models.DecimalField(_("面额（元）"), max_digits=12, decimal_places=2)
    balance = models.DecimalField(_("余额（元）"), max_digits=12, decimal_places=2)
    categories = models.JSONField(_("可购买的服务类别"), default=list)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), help_text=_("含当日，按北京时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("创新券")
        verbose_name_plural = _("创新券")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_amount_positive"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="voucher_balance_never_negative"),
            models.CheckConstraint(
                condition=Q(balance__lte=F("amount")), name="voucher_balance_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="voucher_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def spent(self) -> Decimal:
        return self.amount - self.balance

    def is_expired(self, today: object = None) -> bool:
        return (today or timezone.localdate()) > self.valid_until  # type: ignore[operator]

    @property
    def state(self) -> str:
        if self.status == self.Status.REVOKED:
            return self.State.REVOKED
        if self.balance == 0:
            return self.State.SPENT
        if self.is_expired():
            return self.State.EXPIRED
        return self.State.ISSUED if self.balance == self.amount else self.State.PARTLY_SPENT

    def get_state_display(self) -> str:
        return str(dict(self.State.choices)[self.state])

    def category_labels(self) -> list[str]:
        return category_labels(self.categories)


class VoucherUse(models.Model):
    """An amount of a voucher spent on a facility booking; the provider claims it, the bureau settles it."""

    class Status(models.TextChoices):
        SPENT = "spent", _("已使用")
        CLAIMED = "claimed", _("已申请兑付")
        SETTLED = "settled", _("已结算")
        CANCELLED = "cancelled", _("已撤销")

    voucher = models.ForeignKey(
        Voucher, verbose_name=_("创新券"), on_delete=models.PROTECT, related_name="uses"
    )
    booking = models.ForeignKey(
        "facilities.Booking", verbose_name=_("服务预约"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Organization, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="voucher_claims"
    )
    amount = models.DecimalField(_("抵扣金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.SPENT, db_index=True
    )
    spent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    evidence = models.TextField(
        _("兑付说明"), max_length=2000, blank=True, help_text=_("服务完成情况、发票号等")
    )
    claimed_at = models.DateTimeField(_("申请兑付时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_note = models.CharField(_("退回意见"), max_length=500, blank=True)
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settle_note = models.CharField(_("结算说明"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("处理时限"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("使用时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GuardedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("创新券使用")
        verbose_name_plural = _("创新券使用")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_use_amount_positive"),
            models.UniqueConstraint(
                fields=["voucher", "booking"],
                condition=~Q(status="cancelled"),
                name="voucher_use_once_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} · {self.amount}"
