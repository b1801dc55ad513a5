"""National code tables (facts from standards) and the operator-managed industry-chain taxonomy."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """GB/T 2260 administrative division (province, prefecture, county)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("地级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    full_name = models.CharField(_("全称"), max_length=160, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划（GB/T 2260）")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.full_name or self.name


class Industry(models.Model):
    """GB/T 4754-2017 national economic industry classification (门类/大类/中类/小类)."""

    code = models.CharField(_("代码"), max_length=5, primary_key=True)
    name = models.CharField(_("名称"), max_length=128)
    level = models.PositiveSmallIntegerField(_("层级"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    section = models.CharField(_("门类"), max_length=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("国民经济行业（GB/T 4754-2017）")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Discipline(models.Model):
    """GB/T 13745-2009 discipline classification (first level for now)."""

    code = models.CharField(_("代码"), max_length=7, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    category = models.CharField(_("门类"), max_length=32, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("学科（GB/T 13745-2009）")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TechnologyReadinessLevel(models.Model):
    """TRL 1–9 (GB/T 22900-2022). Names are editable by operators: the shipped text is provisional."""

    level = models.PositiveSmallIntegerField(_("等级"), primary_key=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("技术成熟度等级")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=9), name="trl_level_between_1_and_9"
            )
        ]

    def __str__(self) -> str:
        return f"TRL {self.level} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the page's language: name_en on English pages when it is filled in."""
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name

    @classmethod
    def display_names(cls) -> dict[int, str]:
        """level → name in the page's language (lists and choices)."""
        return {t.level: t.display_name for t in cls.objects.all()}


class IndustryChain(models.Model):
    """An operator-defined industry chain (产业链), e.g. a city's landmark chains."""

    name = models.CharField(_("产业链名称"), max_length=64, unique=True)
    description = models.TextField(_("说明"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属地区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("对应行业"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("产业链")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name


class ChainNode(models.Model):
    """A link (环节) of an industry chain: 上游/中游/下游 segments and their sub-nodes."""

    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级环节"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("环节名称"), max_length=64)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["chain", "sort_order", "name"]
        verbose_name = _("产业链环节")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["chain", "parent", "name"], name="chain_node_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.chain.name} · {self.name}"
