"""Forms of the investors domain: they parse; the services check every rule."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledFormMixin, keyword_field
from techmarket.reference.forms import ChainNodeChoiceField, region_queryset
from techmarket.reference.models import ChainNode, Industry

from .models import FinanceSeeking, Interest, Stage


class FundFilterForm(StyledFormMixin, forms.Form):
    # The list shows the bare widgets without labels: the placeholder says what is searched.
    q = keyword_field(_("搜索基金名称、管理机构或简介"))
    stage = forms.ChoiceField(
        label=_("投资阶段"),
        required=False,
        choices=[("", _("全部阶段"))] + Stage.choices,
        widget=forms.Select(attrs={"aria-label": _("投资阶段")}),
    )

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data.get("q") or "", "stage": self.cleaned_data.get("stage") or ""}


class FundForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("基金名称"), max_length=120)
    stages = forms.MultipleChoiceField(
        label=_("投资阶段"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("关注行业"),
        queryset=Industry.objects.filter(level=2).order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    chain_nodes = forms.ModelMultipleChoiceField(
        label=_("关注产业链环节"),
        queryset=ChainNode.objects.filter(chain__is_active=True)
        .select_related("chain")
        .order_by("chain__sort_order", "sort_order", "pk"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    ticket_min = forms.DecimalField(label=_("单笔投资下限（元）"), max_digits=14, decimal_places=2)
    ticket_max = forms.DecimalField(label=_("单笔投资上限（元）"), max_digits=14, decimal_places=2)
    regions = forms.ModelMultipleChoiceField(
        label=_("投资地域"),
        queryset=region_queryset(),
        required=False,
        help_text=_("不选表示不限地域"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    size = forms.DecimalField(label=_("基金规模（元）"), max_digits=16, decimal_places=2, required=False)
    summary = forms.CharField(
        label=_("投资偏好说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_active = forms.BooleanField(label=_("在投"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chain_nodes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.label_from_instance = lambda n: f"{n.chain.name} · {n.name}"  # type: ignore[method-assign,assignment]


class SeekingForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=120)
    amount = forms.DecimalField(label=_("拟融资额（元）"), max_digits=14, decimal_places=2)
    stage = forms.ChoiceField(label=_("融资阶段"), choices=Stage.choices)
    use_of_funds = forms.CharField(label=_("资金用途"), max_length=500)
    summary = forms.CharField(
        label=_("项目简介"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    chain_node = ChainNodeChoiceField(label=_("产业链环节"), required=False)


class SeekingFilterForm(StyledFormMixin, forms.Form):
    q = keyword_field(_("搜索融资需求标题、企业名称或简介"))
    stage = forms.ChoiceField(
        label=_("融资阶段"),
        required=False,
        choices=[("", _("全部阶段"))] + Stage.choices,
        widget=forms.Select(attrs={"aria-label": _("融资阶段")}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态"))] + FinanceSeeking.Status.choices,
        widget=forms.Select(attrs={"aria-label": _("状态")}),
    )

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {k: d.get(k) or "" for k in ("q", "stage", "status")}


class InterestForm(forms.Form):
    achievement = forms.IntegerField(required=False, min_value=1)
    seeking = forms.IntegerField(required=False, min_value=1)
    kind = forms.ChoiceField(choices=Interest.Kind.choices, initial=Interest.Kind.ENGAGEMENT)
    note = forms.CharField(max_length=500, required=False)


class InvestmentForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("投资金额（元）"), max_digits=14, decimal_places=2)
    invested_on = forms.DateField(label=_("投资日期"), widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ChoiceField(label=_("投资轮次"), choices=Stage.choices)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
