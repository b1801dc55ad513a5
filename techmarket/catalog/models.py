"""What reviewed catalogue types (Listing subclasses) share: visibility, the review workflow and confidential-detail grants."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.crypto import EncryptedTextField
from techmarket.decisions.models import DecisionRequest

from .scopes import GuardedManager


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")
    REGISTERED = "registered", _("注册用户")
    BROKERS = "brokers", _("仅经纪人与平台")
    ORGANIZATION = "organization", _("仅本单位")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    CHANGES_REQUESTED = "changes_requested", _("需整改")
    REJECTED = "rejected", _("已驳回")
    IN_PROGRESS = "in_progress", _("对接中")
    SOLVED = "solved", _("已解决")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


# Statuses in which an item is listed in the catalogue for people outside its organisation.
LISTED_STATUSES = (ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS)


class Listing(models.Model):
    """Abstract base of a catalogue item with a public summary and a confidential detail part."""

    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("公开摘要"), max_length=2000)
    confidential_detail = EncryptedTextField(
        _("保密详情"),
        blank=True,
        max_length=20000,
        help_text=_("仅在您授权（签署保密确认）后对申请方机构可见。"),
    )
    visibility = models.CharField(
        _("可见范围"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_anonymous = models.BooleanField(
        _("匿名发布"), default=False, help_text=_("平台展示条目但隐藏机构名称；经纪人和运营人员仍可看到。")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT, db_index=True
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(
        _("审核时限"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("提交后按工作日计算的审核期限；超期提醒平台运营。"),
    )
    external_key = models.CharField(
        _("外部编号"), max_length=64, blank=True, help_text=_("导入时用于识别同一条目，重复导入按此更新。")
    )
    region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain_node = models.ForeignKey(
        "reference.ChainNode",
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Reads during a request must come through the type's selector (catalog.scopes).
    objects = GuardedManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_listed(self) -> bool:
        return self.status in LISTED_STATUSES


class AccessGrant(DecisionRequest):
    """The owner's release of an item's confidential details to one requesting organisation (NDA step);
    a request on the decisions base (see catalog.request_types)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待授权")
        GRANTED = "granted", _("已授权")
        DECLINED = "declined", _("已拒绝")
        REVOKED = "revoked", _("已撤销")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("申请机构"),
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("申请用途"), max_length=300, blank=True)
    nda_accepted_at = models.DateTimeField(_("保密承诺确认时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("保密详情授权")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "organization"], name="access_grant_one_per_org"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.organization} · {self.content_type.model} #{self.object_id} · {self.get_status_display()}"
        )


def listed_only(qs: models.QuerySet) -> models.QuerySet:  # type: ignore[type-arg]
    """Narrow a queryset of any Listing type to the items listed in the catalogue."""
    return qs.filter(status__in=LISTED_STATUSES)


def is_listed_item(item: object) -> bool:
    return getattr(item, "status", None) in LISTED_STATUSES
