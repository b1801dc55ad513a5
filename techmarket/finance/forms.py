"""Forms of the finance domain: they parse; the services check every rule again (one place for the rules)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import with_all

from .models import DECLARED_SOURCES, ConsentItem, FinanceProduct, Grade, ProductKind


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            continue
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
        )


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("产品类型"), required=False, choices=with_all(ProductKind.choices))
    provider_kind = forms.ChoiceField(
        label=_("机构类型"),
        required=False,
        choices=[("", _("全部")), ("bank", _("银行/科技支行")), ("guarantor", _("融资担保机构"))],
    )
    amount_wan = forms.DecimalField(
        label=_("需要额度（万元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    provider = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "kind": d.get("kind") or "",
            "provider_kind": d.get("provider_kind") or "",
            "amount": d["amount_wan"] * 10000 if d.get("amount_wan") is not None else None,
            "provider": d.get("provider"),
        }


class ProductForm(forms.Form):
    name = forms.CharField(label=_("产品名称"), max_length=80)
    kind = forms.ChoiceField(label=_("产品类型"), choices=ProductKind.choices)
    min_amount_wan = forms.DecimalField(label=_("最低额度（万元）"), max_digits=10, decimal_places=2)
    max_amount_wan = forms.DecimalField(label=_("最高额度（万元）"), max_digits=10, decimal_places=2)
    min_rate = forms.DecimalField(label=_("最低年利率/费率（%）"), max_digits=5, decimal_places=2)
    max_rate = forms.DecimalField(label=_("最高年利率/费率（%）"), max_digits=5, decimal_places=2)
    min_term_months = forms.IntegerField(label=_("最短期限（月）"), min_value=1, max_value=360)
    max_term_months = forms.IntegerField(label=_("最长期限（月）"), min_value=1, max_value=360)
    conditions = forms.CharField(
        label=_("申请条件"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    min_points = forms.DecimalField(label=_("最低创新积分"), required=False, max_digits=8, decimal_places=2)
    min_grade = forms.ChoiceField(
        label=_("最低积分等级"), required=False, choices=[("", _("不限"))] + list(Grade.choices)
    )

    def __init__(self, *args: Any, providers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if providers:
            self.fields["provider"] = forms.TypedChoiceField(
                label=_("发布机构"), coerce=int, choices=[(o.pk, o.name) for o in providers]
            )
            self.order_fields(["provider", "name"])
        _style(self)

    @classmethod
    def initial_from(cls, product: FinanceProduct) -> dict[str, Any]:
        return {
            "name": product.name, "kind": product.kind, "min_amount_wan": product.min_amount / 10000,
            "max_amount_wan": product.max_amount / 10000, "min_rate": product.min_rate, "max_rate": product.max_rate,
            "min_term_months": product.min_term_months, "max_term_months": product.max_term_months,
            "conditions": product.conditions, "min_points": product.min_points, "min_grade": product.min_grade,
        }  # fmt: skip

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["min_amount"] = d.pop("min_amount_wan") * 10000
        d["max_amount"] = d.pop("max_amount_wan") * 10000
        d.pop("provider", None)
        return d


class ApplyForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("申请企业"), coerce=int)
    amount_wan = forms.DecimalField(label=_("申请额度（万元）"), max_digits=10, decimal_places=2, min_value=0)
    term_months = forms.IntegerField(label=_("申请期限（月）"), min_value=1, max_value=360)
    purpose = forms.CharField(label=_("资金用途"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    consent_items = forms.MultipleChoiceField(
        label=_("授权该机构查看"),
        choices=ConsentItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentItem.PROFILE, ConsentItem.POINTS],
    )
    consent_confirmed = forms.BooleanField(
        label=_(
            "我代表本企业同意：上述勾选的数据自提交时起向该产品的发布机构开放，仅用于本次融资审批；撤回申请即撤销授权。"
        ),
        required=False,
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.choices = [(o.pk, o.name) for o in organisations]
        _style(self)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        coerce=lambda v: v == "1",
        choices=[("1", _("批准")), ("0", _("不予批准"))],
        widget=forms.RadioSelect,
    )
    approved_amount_wan = forms.DecimalField(
        label=_("批准额度（万元）"), required=False, max_digits=10, decimal_places=2
    )
    approved_rate = forms.DecimalField(
        label=_("年利率/费率（%）"), required=False, max_digits=5, decimal_places=2
    )
    approved_term_months = forms.IntegerField(
        label=_("批准期限（月）"), required=False, min_value=1, max_value=360
    )
    reason = forms.CharField(label=_("审批意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class GrantForm(forms.Form):
    amount_wan = forms.DecimalField(label=_("放款/担保金额（万元）"), max_digits=10, decimal_places=2)
    granted_on = forms.DateField(label=_("放款日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DeclarationForm(forms.Form):
    source = forms.ChoiceField(label=_("申报指标"), choices=[(s.value, s.label) for s in DECLARED_SOURCES])
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    value = forms.DecimalField(
        label=_("数值"),
        max_digits=14,
        decimal_places=2,
        help_text=_("研发投入占比填百分数（如 4.5）；研发投入填万元；专利填件数；研发人员填人数。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
