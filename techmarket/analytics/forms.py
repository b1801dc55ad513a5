from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.reference.forms import region_queryset
from techmarket.reference.models import IndustryChain, Region

from .compute import Filters
from .periods import Month, Period


class FiltersForm(forms.Form):
    """Period (whole months), region and industry chain: the filters every figure takes."""

    start = forms.CharField(
        label=_("开始月份"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("结束月份"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    region = forms.ChoiceField(label=_("地区"), required=False)
    chain = forms.ModelChoiceField(
        label=_("产业链"), required=False, queryset=IndustryChain.objects.none(), empty_label=_("全部产业链")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("全部地区")))]
        for region in region_queryset():
            label = region.name if region.level == Region.Level.PREFECTURE else f"　{region.name}"
            choices.append((region.code, label))
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = choices
        chain_field = self.fields["chain"]
        assert isinstance(chain_field, forms.ModelChoiceField)
        chain_field.queryset = IndustryChain.objects.filter(is_active=True)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("region", "chain") else "form-control"

    def _month(self, name: str) -> Month | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return Month.parse(text)
        except ValueError as exc:
            self.add_error(name, str(exc))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default = Period.year_to_date()
        first = self._month("start") or default.first
        last = self._month("end") or (default.last if first <= default.last else first)
        try:
            data["period"] = Period(first, last)
        except ValueError as exc:
            self.add_error("end", str(exc))
        return data

    def filters(self) -> Filters:
        """The valid filters; the default (this year to date, everywhere) when the form has errors."""
        # The month inputs show the period the figures are for, not blanks when it was left to the default.
        if not self.is_bound:
            default = Filters()
            self.initial = {"start": str(default.period.first), "end": str(default.period.last)}
            return default
        if not self.is_valid() or "period" not in self.cleaned_data:
            return Filters()
        period = self.cleaned_data["period"]
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)  # QueryDict or dict
        data["start"], data["end"] = str(period.first), str(period.last)
        self.data = data
        chain = self.cleaned_data.get("chain")
        return Filters(
            period=self.cleaned_data["period"],
            region=self.cleaned_data.get("region") or "",
            chain=chain.pk if chain else None,
        )


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("指标"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("地区"), required=False)
    value = forms.DecimalField(label=_("目标值"), min_value=0, max_digits=14, decimal_places=2)
    monthly_minimum = forms.DecimalField(
        label=_("每月至少（可选）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("依据或说明"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from . import indicators

        indicator_field = self.fields["indicator"]
        assert isinstance(indicator_field, forms.ChoiceField)
        indicator_field.choices = [(i.key, f"{i.label}（{i.unit}）") for i in indicators.all_indicators()]
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [("", str(_("全平台")))] + [
            (r.code, r.name if r.level == Region.Level.PREFECTURE else f"　{r.name}")
            for r in region_queryset()
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("indicator", "region") else "form-control"


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("month", _("月报")), ("half", _("半年报")), ("year", _("年报"))]
    )
    month = forms.CharField(
        label=_("报告期内的月份"),
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("例如 2026-10"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "kind" else "form-control"

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
