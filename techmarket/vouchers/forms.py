"""Forms of the vouchers domain: they parse; the services check every rule (and say what is wrong)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledFormMixin, keyword_field
from techmarket.orgs.models import Organization

from .models import Category, Voucher, VoucherUse


class VoucherFilterForm(StyledFormMixin, forms.Form):
    # The list shows the bare widgets without labels: the placeholder says what is searched.
    q = keyword_field(_("券号、持券企业或批次名称"))
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态"))] + list(Voucher.State.choices),
        widget=forms.Select(attrs={"aria-label": _("状态")}),
    )
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, widget=forms.HiddenInput)

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d.get("q") or "", "state": d.get("state") or "", "batch": d.get("batch")}


class BatchForm(StyledFormMixin, forms.Form):
    issuer = forms.ModelChoiceField(label=_("发放单位"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("批次名称"), max_length=120, help_text=_("例如：2026 年第一批创新券"))
    budget = forms.CharField(label=_("总预算（元）"), max_length=20)
    categories = forms.MultipleChoiceField(
        label=_("可购买的服务类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_from = forms.DateField(label=_("有效期起"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("有效期止"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("含当日，按北京时间")
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, issuers: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issuer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in issuers])
        if len(issuers) == 1:
            field.initial = issuers[0].pk


class IssueForm(StyledFormMixin, forms.Form):
    holder = forms.ModelChoiceField(
        label=_("持券企业"),
        queryset=Organization.objects.filter(
            kind=Organization.Kind.ENTERPRISE, status=Organization.Status.APPROVED
        ).order_by("name"),
    )
    amount = forms.CharField(label=_("面额（元）"), max_length=20)
    categories = forms.MultipleChoiceField(
        label=_("可购买的服务类别"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选则与批次相同"),
    )

    def __init__(self, *args: Any, batch: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if batch is not None:
            field = self.fields["categories"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(v, label) for v, label in Category.choices if v in batch.categories]


class SpendForm(StyledFormMixin, forms.Form):
    booking = forms.ModelChoiceField(label=_("服务预约"), queryset=VoucherUse.objects.none())
    amount = forms.CharField(label=_("抵扣金额（元）"), max_length=20)

    def __init__(self, *args: Any, bookings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["booking"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bookings
        field.label_from_instance = lambda b: f"{b.facility.name} · {b.service}"  # type: ignore[method-assign,assignment]
