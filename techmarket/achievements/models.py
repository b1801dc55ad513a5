"""Achievements (科技成果): the supply side of the catalogue, posted by universities, institutes and enterprises."""

import json
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.models import Listing


class UnicodeJSONEncoder(json.JSONEncoder):
    """Stores Chinese as characters, not \\uXXXX escapes, so substring search works on SQLite as on PostgreSQL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class Stage(models.TextChoices):
    LAB = "lab", _("实验室")
    BENCH = "bench", _("小试")
    PILOT = "pilot", _("中试")
    INDUSTRIAL = "industrial", _("产业化")


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    EXCLUSIVE_LICENSE = "exclusive_license", _("独占许可")
    SOLE_LICENSE = "sole_license", _("排他许可")
    ORDINARY_LICENSE = "ordinary_license", _("普通许可")
    EQUITY = "equity", _("作价入股")
    JOINT_DEVELOPMENT = "joint_development", _("合作开发")
    PAY_AFTER_USE = "pay_after_use", _("先使用后付费")


class IPType(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")
    SOFTWARE = "software", _("软件著作权")
    KNOW_HOW = "know_how", _("技术秘密")
    PLANT_VARIETY = "plant_variety", _("植物新品种")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计")
    OTHER = "other", _("其他")


PATENT_TYPES = (IPType.INVENTION, IPType.UTILITY_MODEL, IPType.DESIGN)


class LegalStatus(models.TextChoices):
    PENDING = "pending", _("申请中")
    GRANTED = "granted", _("已授权")
    LAPSED = "lapsed", _("已失效")
    TRANSFERRING = "transferring", _("转让中")
    REGISTERED = "registered", _("已登记")


class Empowerment(models.TextChoices):
    """职务科技成果赋权: what the employer granted the inventors (regional reform pilots)."""

    NONE = "", _("未赋权")
    OWNERSHIP = "ownership", _("赋予所有权")
    LONG_TERM_USE = "long_term_use", _("赋予长期使用权")
    IN_PROGRESS = "in_progress", _("赋权办理中")


class Achievement(Listing):
    """A technology on offer: what it does, how mature it is, what protects it and how it can be acquired."""

    keywords = models.JSONField(_("关键词"), default=list, blank=True, encoder=UnicodeJSONEncoder)
    discipline = models.ForeignKey(
        "reference.Discipline",
        verbose_name=_("学科（GB/T 13745）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industries = models.ManyToManyField(
        "reference.Industry", verbose_name=_("适用行业"), blank=True, related_name="+"
    )
    trl = models.PositiveSmallIntegerField(
        _("技术成熟度（TRL）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9 级（GB/T 22900-2022）。"),
    )
    stage = models.CharField(_("所处阶段"), max_length=16, choices=Stage.choices, default=Stage.LAB)
    advantages = models.TextField(
        _("技术优势"),
        blank=True,
        max_length=5000,
        help_text=_("与现有方案相比的量化优势，例如“能耗降低 30%”。"),
    )
    route_to_market = models.TextField(_("产业化路径"), blank=True, max_length=5000)
    transfer_modes = models.JSONField(_("转化方式"), default=list, blank=True)
    asking_price_wan = models.DecimalField(
        _("报价（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    price_negotiable = models.BooleanField(_("面议"), default=False)
    empowerment = models.CharField(
        _("职务科技成果赋权"),
        max_length=16,
        choices=Empowerment.choices,
        default=Empowerment.NONE,
        blank=True,
    )
    empowerment_share = models.DecimalField(
        _("完成人所占份额（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("赋予所有权时，成果完成人（团队）持有的份额，例如 70。"),
    )
    separately_managed = models.BooleanField(
        _("单列管理"),
        default=False,
        help_text=_("该职务科技成果已实行单列管理，不纳入国有资产清产核资范围。"),
    )
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    team = models.ManyToManyField(
        "experts.Expert", verbose_name=_("团队成员"), blank=True, related_name="achievements"
    )

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        indexes = [
            models.Index(fields=["status", "visibility"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["trl"]),
            # The list's facets (stage, TRL, region) with the visibility columns: counting a filtered page of
            # a 100k-row catalogue is an index-only scan instead of reading the table.
            models.Index(
                fields=["stage", "trl", "region", "status", "visibility"], name="achievement_facets_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_key"],
                condition=~models.Q(external_key=""),
                name="achievement_unique_external_key",
            ),
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__gte=1, trl__lte=9),
                name="achievement_trl_between_1_and_9",
            ),
            models.CheckConstraint(
                condition=models.Q(asking_price_wan__isnull=True) | models.Q(asking_price_wan__gte=0),
                name="achievement_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(empowerment_share__isnull=True)
                | models.Q(empowerment_share__gte=0, empowerment_share__lte=100),
                name="achievement_empowerment_share_percent",
            ),
        ]

    def compute_search_text(self) -> str:
        from techmarket.catalog.search import search_text

        return search_text(self.title, self.summary, self.keywords or [], self.advantages)


class AchievementIP(models.Model):
    """One intellectual-property right behind an achievement (patent, software copyright, know-how ...)."""

    achievement = models.ForeignKey(
        Achievement, verbose_name=_("科技成果"), on_delete=models.CASCADE, related_name="ip_rights"
    )
    ip_type = models.CharField(_("类型"), max_length=16, choices=IPType.choices)
    number = models.CharField(
        _("编号"),
        max_length=64,
        blank=True,
        help_text=_("专利填申请号或专利号（如 ZL202310123456.6），软件著作权填登记号。"),
    )
    title = models.CharField(_("名称"), max_length=200)
    legal_status = models.CharField(
        _("法律状态"), max_length=16, choices=LegalStatus.choices, default=LegalStatus.GRANTED
    )
    expiry_date = models.DateField(_("到期日"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["achievement", "sort_order", "pk"]
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "number"],
                condition=~models.Q(number=""),
                name="achievement_ip_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ip_type_display()} {self.number or self.title}"
