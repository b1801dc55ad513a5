"""Forms of the policies domain: the list filters, the policy with its rule builder, applications.

The forms only shape input; the services check everything again (the same messages reach the API).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm, with_all
from techmarket.reference.forms import RegionChoiceField, RegionFilterField

from .facts import all_facts
from .models import Policy
from .rules import OPERATORS


class PolicyFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=with_all(Policy.Level.choices))
    support_type = forms.ChoiceField(
        label=_("支持方式"), required=False, choices=with_all(Policy.SupportType.choices)
    )
    region = RegionFilterField(label=_("适用地区"))
    validity = forms.ChoiceField(
        label=_("有效期"),
        required=False,
        choices=[("", _("全部")), ("open", _("申报中")), ("expired", _("已截止或停止"))],
    )
    applicable = forms.BooleanField(label=_("可在线申请（直达快享）"), required=False)

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        out: dict[str, Any] = {
            k: d.get(k) or "" for k in ("q", "level", "support_type", "region", "validity")
        }
        out["applicable"] = bool(d.get("applicable"))
        return out


class PolicyForm(StyledForm):
    title = forms.CharField(label=_("政策名称"), max_length=160)
    issuer = forms.CharField(label=_("发文单位"), max_length=120)
    document_number = forms.CharField(label=_("文号"), max_length=64, required=False)
    level = forms.ChoiceField(label=_("层级"), choices=Policy.Level.choices)
    region = RegionChoiceField(label=_("适用地区"), required=False)
    support_type = forms.ChoiceField(label=_("支持方式"), choices=Policy.SupportType.choices)
    summary = forms.CharField(label=_("政策要点"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    amount_text = forms.CharField(label=_("支持标准"), max_length=200, required=False)
    max_amount = forms.DecimalField(
        label=_("单个企业最高金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    valid_from = forms.DateField(
        label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    allows_application = forms.BooleanField(
        label=_("直达快享：符合条件的企业可在线申请"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    FIELDS = (
        "title", "issuer", "document_number", "level", "region", "support_type", "summary", "amount_text",
        "max_amount", "valid_from", "valid_until", "allows_application",
    )  # fmt: skip

    def service_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) for f in self.FIELDS}

    @classmethod
    def initial_of(cls, policy: Policy) -> dict[str, Any]:
        return {f: getattr(policy, f) for f in cls.FIELDS}


def _fact_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(f.key, f"{f.label}" + (f"（{f.unit}）" if f.unit else "")) for f in all_facts()]


class RuleForm(StyledForm):
    """One row of the rule builder: a fact, an operator, values (comma or 、 separated)."""

    fact = forms.ChoiceField(label=_("条件"), required=False, choices=_fact_choices)
    op = forms.ChoiceField(label=_("运算"), required=False, choices=[("", "—")] + list(OPERATORS.items()))
    values = forms.CharField(
        label=_("取值"),
        required=False,
        max_length=500,
        help_text=_("多个值用“、”分隔；地区、行业可填名称或代码；介于填“下限、上限”"),
    )
    valid_through = forms.DateField(
        label=_("资质有效期至少到"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def row(self) -> dict[str, Any] | None:
        d = self.cleaned_data if self.is_valid() else {}
        if not d.get("fact") and not d.get("op") and not d.get("values"):
            return None
        return {
            "fact": d.get("fact"),
            "op": d.get("op"),
            "values": d.get("values") or "",
            "valid_through": d.get("valid_through"),
        }


RuleFormSet = forms.formset_factory(RuleForm, extra=2, max_num=30, validate_max=True)


def rule_initial(policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "fact": r.fact,
            "op": r.op,
            "values": "、".join(str(v) for v in r.values),
            "valid_through": r.valid_through,
        }
        for r in policy.rules.all()
    ]


class ApplicationForm(StyledForm):
    organization = forms.TypedChoiceField(label=_("申请企业"), coerce=int)
    requested_amount = forms.DecimalField(
        label=_("申请金额（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    statement = forms.CharField(
        label=_("申请说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("项目、投入及申请依据，至少 10 个字"),
    )  # fmt: skip
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]


class ApproveForm(StyledForm):
    approved_amount = forms.DecimalField(
        label=_("核定金额（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class PayForm(StyledForm):
    paid_amount = forms.DecimalField(
        label=_("拨付金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False,
        help_text=_("不填即按核定金额拨付"),
    )  # fmt: skip
    payment_reference = forms.CharField(label=_("拨付凭证号"), max_length=64)


class ApplicationFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import PolicyApplication

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = with_all(PolicyApplication.Status.choices)  # type: ignore[attr-defined]
