"""Forms: money in 万元 on the page, 元 in the model; tables typed one row per line (a | b | c)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledFormMixin, with_all
from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry

from .models import Batch, Challenge

WAN = Decimal(10000)


def parse_rows(text: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        rows.append(dict(zip(keys, parts + [""] * (len(keys) - len(parts)), strict=False)))
    return rows


def format_rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(str(r.get(k, "")) for k in keys) for r in rows or [])


TARGET_KEYS = ("indicator", "value", "unit", "method")
CRITERION_KEYS = ("name", "weight")
BUDGET_KEYS = ("item", "amount")
MILESTONE_KEYS = ("title", "deliverable", "due", "amount")


class ChallengeForm(StyledFormMixin, forms.Form):
    owner = forms.ModelChoiceField(label=_("发榜企业"), queryset=Organization.objects.none())
    batch = forms.ModelChoiceField(label=_("批次"), queryset=Batch.objects.none(), required=False)
    mode = forms.ChoiceField(label=_("组织方式"), choices=Challenge.Mode.choices)
    title = forms.CharField(label=_("榜单名称"), max_length=120)
    problem = forms.CharField(label=_("技术难题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    targets = forms.CharField(
        label=_("量化指标"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：指标 | 目标值 | 单位 | 测试方法"),
    )
    deliverables = forms.CharField(
        label=_("交付成果"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    funding_total = forms.DecimalField(label=_("榜单总金额（万元）"), max_digits=12, decimal_places=2)
    enterprise_share = forms.DecimalField(label=_("企业出资（万元）"), max_digits=12, decimal_places=2)
    government_share = forms.DecimalField(
        label=_("财政支持（万元）"), max_digits=12, decimal_places=2, initial=Decimal("0")
    )
    duration_months = forms.IntegerField(label=_("攻关周期（月）"), min_value=1, max_value=60, initial=24)
    deadline = forms.DateTimeField(
        label=_("揭榜截止时间（北京时间）"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("可揭榜的机构类型"),
        choices=[
            (k, v)
            for k, v in Organization.Kind.choices
            if k in ("university", "institute", "enterprise", "industry_ri", "new_rd", "consortium")
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )
    eligibility = forms.CharField(
        label=_("揭榜条件"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    criteria = forms.CharField(
        label=_("评审指标与权重"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="技术方案先进性 | 40\n团队实力与前期基础 | 30\n经费与进度合理性 | 20\n成果转化前景 | 10",
        help_text=_("每行一项：指标 | 权重"),
    )
    industry = forms.ModelChoiceField(label=_("所属行业"), queryset=Industry.objects.none(), required=False)
    contact = forms.CharField(label=_("联系方式"), required=False, max_length=200)

    def __init__(self, *args: Any, owners: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["batch"].queryset = batches  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.filter(level=2).order_by("code")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("owner")
        for k in ("funding_total", "enterprise_share", "government_share"):
            d[k] = (d[k] or Decimal("0")) * WAN
        d["targets"] = parse_rows(d["targets"], TARGET_KEYS)
        d["criteria"] = parse_rows(d["criteria"], CRITERION_KEYS)
        d["eligible_kinds"] = list(d["eligible_kinds"])
        return d


class ApplicationForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("牵头单位"), queryset=Organization.objects.none())
    lead_expert = forms.IntegerField(label=_("团队负责人（专家编号）"), min_value=1)
    members = forms.CharField(
        label=_("团队成员（专家编号）"), required=False, help_text=_("用逗号分隔多个专家编号。")
    )
    plan = forms.CharField(label=_("技术方案"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    budget = forms.CharField(
        label=_("经费预算"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：科目 | 金额（元）"),
    )
    milestones_plan = forms.CharField(
        label=_("里程碑计划"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：名称 | 交付物 | 完成日期 YYYY-MM-DD | 拨付金额（元）"),
    )
    prior_results = forms.CharField(
        label=_("前期成果"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_members(self) -> list[int]:
        raw = self.cleaned_data.get("members") or ""
        ids = []
        for part in raw.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(_("专家编号应为数字，用逗号分隔。"))
            ids.append(int(part))
        return ids


class AssembleForm(StyledFormMixin, forms.Form):
    """组阁: the lead and members among the experts who accepted, the team's plan, and the reason."""

    lead_expert = forms.TypedChoiceField(label=_("团队负责人"), coerce=int)
    members = forms.TypedMultipleChoiceField(
        label=_("团队成员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    plan = forms.CharField(label=_("技术方案"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    budget = forms.CharField(
        label=_("经费预算"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：科目 | 金额（元）"),
    )
    milestones_plan = forms.CharField(
        label=_("里程碑计划"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：名称 | 交付物 | 完成日期 YYYY-MM-DD | 拨付金额（元）"),
    )
    reason = forms.CharField(
        label=_("组阁理由（随公示发布）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, experts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(e.pk, f"{e.name}（{e.affiliation.name if e.affiliation else '—'}）") for e in experts]
        self.fields["lead_expert"].choices = choices  # type: ignore[attr-defined]
        self.fields["members"].choices = choices  # type: ignore[attr-defined]


class ChallengeFilterForm(forms.Form):
    """The list page's filters; saved searches (notifications) re-run them for each new publication."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=with_all(Challenge.Status.choices))
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1)
    mode = forms.ChoiceField(label=_("组织方式"), required=False, choices=with_all(Challenge.Mode.choices))

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "status": d.get("status") or "",
            "batch": d.get("batch"),
            "mode": d.get("mode") or "",
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
    expected_state = forms.CharField(required=False, max_length=20)


class BatchForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("批次名称"), max_length=120)
    kind = forms.ChoiceField(label=_("批次类型"), choices=Batch.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
