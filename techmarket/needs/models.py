"""Enterprise needs (技术需求): the demand side of the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.catalog.models import Listing
from techmarket.core.crypto import EncryptedCharField
from techmarket.decisions.models import DecisionRequest


class NeedKind(models.TextChoices):
    TECHNOLOGY = "technology", pgettext_lazy("need kind", "技术需求")
    TALENT = "talent", _("人才需求")
    COOPERATION = "cooperation", _("校企合作需求")


class CooperationMode(models.TextChoices):
    COMMISSIONED = "commissioned", _("委托开发")
    JOINT = "joint", _("合作开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    TALENT = "talent", _("人才引进")
    PLATFORM = "platform", _("共建平台")


class Education(models.TextChoices):
    ANY = "", _("不限")
    COLLEGE = "college", _("大专及以上")
    BACHELOR = "bachelor", _("本科及以上")
    MASTER = "master", _("硕士及以上")
    DOCTOR = "doctor", _("博士")


class TalentMode(models.TextChoices):
    """How an enterprise brings talent in (柔性引才 included)."""

    FULL_TIME = "full_time", _("全职引进")
    PART_TIME = "part_time", _("兼职")
    ENCLAVE = "enclave", _("人才飞地")
    PROJECT = "project", _("项目合作")


class CooperationForm(models.TextChoices):
    """Forms of university–enterprise cooperation (校企合作)."""

    JOINT_LAB = "joint_lab", _("共建联合实验室")
    INDUSTRY_INSTITUTE = "industry_institute", _("共建产业研究院")
    COMMISSIONED = "commissioned", _("委托研发")
    TRAINING = "training", _("人才培养与培训")
    CONSULTING = "consulting", _("技术咨询与服务")


class Need(Listing):
    """A structured need: vague needs are the main reason matches fail, so parameters are explicit."""

    kind = models.CharField(
        _("需求类型"), max_length=16, choices=NeedKind.choices, default=NeedKind.TECHNOLOGY
    )
    background = models.TextField(_("需求背景"), blank=True, max_length=5000)
    problem = models.TextField(
        _("技术难题"),
        blank=True,
        max_length=5000,
        help_text=_("技术需求必填；人才需求和校企合作需求可写希望解决的问题。"),
    )
    parameters = models.JSONField(
        _("技术指标"),
        default=list,
        blank=True,
        help_text=_('指标列表：[{"indicator": 指标, "target": 目标值, "unit": 单位}]'),
    )
    current_solution = models.TextField(_("现有方案及不足"), blank=True, max_length=5000)
    expected_outcome = models.TextField(_("预期成果"), blank=True, max_length=5000)
    budget_min = models.DecimalField(
        _("预算下限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("预算上限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rd_cycle_months = models.PositiveSmallIntegerField(_("研发周期（月）"), null=True, blank=True)
    cooperation_modes = models.JSONField(_("合作方式"), default=list, blank=True)
    industry = models.ForeignKey(
        "reference.Industry",
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    # 人才需求 (kind=talent)
    talent_position = models.CharField(_("岗位名称"), max_length=64, blank=True)
    talent_count = models.PositiveSmallIntegerField(_("需求人数"), null=True, blank=True)
    talent_field = models.CharField(_("专业领域"), max_length=128, blank=True)
    talent_education = models.CharField(
        _("学历要求"), max_length=16, choices=Education.choices, blank=True, default=Education.ANY
    )
    talent_modes = models.JSONField(_("引才方式"), default=list, blank=True)
    # 校企合作需求 (kind=cooperation)
    cooperation_forms = models.JSONField(_("合作形式"), default=list, blank=True)
    # personal contact data: encrypted at rest (techmarket.core.crypto)
    contact_name = EncryptedCharField(_("联系人"), max_length=32, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        indexes = [models.Index(fields=["status", "visibility"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_key"],
                condition=~models.Q(external_key=""),
                name="need_unique_external_key",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="need_budget_range_ordered",
            ),
        ]

    def compute_search_text(self) -> str:
        from techmarket.catalog.search import search_text

        return search_text(
            self.title,
            self.summary,
            self.problem,
            self.background,
            self.expected_outcome,
            [p.get("indicator", "") for p in self.parameters or []],
        )

    @property
    def talent_mode_labels(self) -> list[str]:
        labels = dict(TalentMode.choices)
        return [str(labels.get(mode, mode)) for mode in self.talent_modes or []]

    @property
    def cooperation_form_labels(self) -> list[str]:
        labels = dict(CooperationForm.choices)
        return [str(labels.get(form, form)) for form in self.cooperation_forms or []]

    @property
    def cooperation_labels(self) -> list[str]:
        labels = dict(CooperationMode.choices)
        return [str(labels.get(mode, mode)) for mode in self.cooperation_modes]


class NeedVersion(models.Model):
    """A snapshot of a need's content after each change, so every edit can be compared."""

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("内容快照"))
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["need", "-number"]
        verbose_name = _("需求版本")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["need", "number"], name="need_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.need} v{self.number}"


class NeedRevision(DecisionRequest):
    """需求凝练: a broker's or operator's proposed edit, accepted or rejected by the owner (see needs.request_types)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("未采纳")
        WITHDRAWN = "withdrawn", _("已撤回")

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="revisions")
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(_("建议修改"))
    base = models.JSONField(_("提出时的原文"))
    note = models.TextField(_("凝练说明"), blank=True, max_length=2000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("需求凝练建议")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.need} · {self.get_status_display()}"
