"""Yearly targets (目标考核) and generated reports (月报 / 半年报 / 年报) of the bureau's figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.documents.models import documents_storage


class Target(models.Model):
    """A yearly target for one indicator, for the whole platform or one region (GB/T 2260 code)."""

    indicator = models.CharField(_("指标"), max_length=64)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.CharField(_("地区代码"), max_length=6, blank=True, help_text=_("留空表示全平台"))
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    monthly_minimum = models.DecimalField(
        _("每月至少"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("如“每月至少举办一场活动”：每个月都应达到的数量，未达到的月份列入预警"),
    )
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year", "indicator", "region"]
        verbose_name = _("年度目标")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "region"], name="analytics_target_unique"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="analytics_target_positive"),
            models.CheckConstraint(
                condition=models.Q(monthly_minimum__isnull=True) | models.Q(monthly_minimum__gt=0),
                name="analytics_target_monthly_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator} {self.region or '全平台'}"


def report_path(instance: Report, filename: str) -> str:
    return f"reports/{instance.kind}/{instance.period_start:%Y-%m}/{filename}"


class Report(models.Model):
    """One generated report. Every generation is kept with its date: a past month's report never changes,
    a regenerated one is a new row beside it."""

    class Kind(models.TextChoices):
        MONTH = "month", _("月报")
        HALF = "half", _("半年报")
        YEAR = "year", _("年报")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止（含当月）"))
    title = models.CharField(_("标题"), max_length=120)
    snapshot = models.JSONField(_("数据快照"), default=dict)
    pdf = models.FileField(_("PDF"), storage=documents_storage, upload_to=report_path, max_length=300)
    xlsx = models.FileField(_("Excel"), storage=documents_storage, upload_to=report_path, max_length=300)
    generated_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空表示按计划自动生成"),
    )

    class Meta:
        ordering = ["-period_start", "kind", "-generated_at"]
        verbose_name = _("统计报告")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["kind", "period_start"], name="analytics_report_period")]

    def __str__(self) -> str:
        return self.title


class EvaluationScheme(models.Model):
    """An indicator set (绩效评价指标体系) for one kind of subject, with operator-set weights."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    subject = models.CharField(
        _("评价对象"),
        max_length=32,
        help_text=_("research 高校与科研机构；service 技术转移服务机构；broker 技术经纪人"),
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("绩效评价方案")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name


class EvaluationItem(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="items"
    )
    metric = models.CharField(_("指标"), max_length=64)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["scheme", "-weight", "metric"]
        verbose_name = _("评价指标")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["scheme", "metric"], name="analytics_item_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="analytics_item_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} × {self.weight}"


class Fact(models.Model):
    """Pre-aggregated figures (see analytics.facts): one indicator's value for one month, region, chain node
    and industry division. Rows with an empty ``industry`` hold the whole figure; rows with a division hold the
    breakdown by industry (an achievement in two industries counts once in the first, once per division in
    the second). Rebuilt per indicator from the live rows whenever an audited write touches its data."""

    indicator = models.CharField(_("指标"), max_length=64)
    month = models.DateField(_("月份"))
    region = models.CharField(_("地区代码"), max_length=12, blank=True)
    chain_id = models.IntegerField(_("产业链"), null=True, blank=True)
    chain_node_id = models.IntegerField(_("产业链环节"), null=True, blank=True)
    segment_id = models.IntegerField(_("产业链环节（上级）"), null=True, blank=True)
    industry = models.CharField(_("行业大类"), max_length=4, blank=True)
    breakdown = models.CharField(_("分解维度"), max_length=32, blank=True, default="")
    bucket = models.CharField(_("分解取值"), max_length=100, blank=True, default="")
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=2)

    class Meta:
        ordering = ["indicator", "month"]
        verbose_name = _("预汇总数据")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(
                fields=["indicator", "breakdown", "industry", "month"], name="analytics_fact_ind_month"
            ),
            models.Index(
                fields=["indicator", "chain_id", "breakdown", "industry"], name="analytics_fact_chain"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m} {self.region} {self.value}"


class FactTotal(models.Model):
    """The whole figures of ``Fact`` rolled up for the dashboards' headlines, series and region / chain
    breakdowns: one indicator's value per month for one area and one chain. ``area`` is the first ``level``
    characters of the region code ("" all regions, "37" a province, "3713" a city, "371302" a county), so a
    region filter is one equality instead of a prefix scan; ``chain_id`` 0 is every row, chain or none."""

    indicator = models.CharField(_("指标"), max_length=64)
    level = models.PositiveSmallIntegerField(_("地区层级"))
    area = models.CharField(_("地区代码前缀"), max_length=12, blank=True)
    chain_id = models.IntegerField(_("产业链"), default=0)
    month = models.DateField(_("月份"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=2)

    class Meta:
        ordering = ["indicator", "month"]
        verbose_name = _("预汇总合计")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(
                fields=["indicator", "level", "chain_id", "area", "month"], name="analytics_facttotal_find"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m} {self.area or '全部'} {self.value}"


class FactState(models.Model):
    """When an indicator's facts were last rebuilt; an indicator without a row has never been built."""

    indicator = models.CharField(_("指标"), max_length=64, unique=True)
    built_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)

    class Meta:
        ordering = ["indicator"]
        verbose_name = _("预汇总状态")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.indicator} {self.built_at}"


class FactDirty(models.Model):
    """An indicator whose facts a write has made stale; written in the write's own transaction, so a reader
    that sees the write also sees this row and rebuilds before answering."""

    indicator = models.CharField(_("指标"), max_length=64)
    # The written row when it is one of the indicator's own rows (a contract for the contract figures): only
    # the months it lies in (and those whose total moved) are rebuilt. Empty: the whole indicator.
    object_id = models.BigIntegerField(_("对象"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("待重算指标")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.indicator
