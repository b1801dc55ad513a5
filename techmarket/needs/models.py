"""Enterprise needs (技术需求): the demand side of the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.models import Listing


class NeedKind(models.TextChoices):
    TECHNOLOGY = "technology", _("技术需求")
    TALENT = "talent", _("人才需求")
    COOPERATION = "cooperation", _("校企合作需求")


class CooperationMode(models.TextChoices):
    COMMISSIONED = "commissioned", _("委托开发")
    JOINT = "joint", _("合作开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    TALENT = "talent", _("人才引进")
    PLATFORM = "platform", _("共建平台")


class Need(Listing):
    """A structured need: vague needs are the main reason matches fail, so parameters are explicit."""

    kind = models.CharField(_("需求类型"), max_length=16, choices=NeedKind.choices, default=NeedKind.TECHNOLOGY)
    background = models.TextField(_("需求背景"), blank=True, max_length=5000)
    problem = models.TextField(_("技术难题"), max_length=5000)
    parameters = models.JSONField(
        _("技术指标"), default=list, blank=True,
        help_text=_("指标列表：[{\"indicator\": 指标, \"target\": 目标值, \"unit\": 单位}]"),
    )
    current_solution = models.TextField(_("现有方案及不足"), blank=True, max_length=5000)
    expected_outcome = models.TextField(_("预期成果"), blank=True, max_length=5000)
    budget_min = models.DecimalField(_("预算下限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("预算上限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    rd_cycle_months = models.PositiveSmallIntegerField(_("研发周期（月）"), null=True, blank=True)
    cooperation_modes = models.JSONField(_("合作方式"), default=list, blank=True)
    industry = models.ForeignKey("reference.Industry", verbose_name=_("所属行业"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        indexes = [models.Index(fields=["status", "visibility"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["owner", "external_key"], condition=~models.Q(external_key=""),
                                    name="need_unique_external_key"),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True) | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="need_budget_range_ordered",
            ),
        ]

    def compute_search_text(self) -> str:
        from techmarket.catalog.search import search_text

        return search_text(self.title, self.summary, self.problem, self.background, self.expected_outcome,
                           [p.get("indicator", "") for p in self.parameters or []])

    @property
    def cooperation_labels(self) -> list[str]:
        labels = dict(CooperationMode.choices)
        return [str(labels.get(mode, mode)) for mode in self.cooperation_modes]
