"""Forms of the engagement pages (the rules live in the services; forms only parse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import OPEN_STAGES, ActivityKind, Stage, TerminationReason


class EngagementFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"),
        required=False,
        choices=[("", _("全部阶段")), *Stage.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("open", _("进行中")),
            ("deal", _("成交")),
            ("terminated", pgettext_lazy("state", "终止")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def selector_filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class EngagementUpdateForm(forms.Form):
    prefix = "edit"  # the detail page holds this form and the activity form: distinct ids and names
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("项目名称"), max_length=120)
    summary = forms.CharField(label=_("项目简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("下一步"), required=False, max_length=200)
    next_step_on = forms.DateField(
        label=_("下一步日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ActivityForm(forms.Form):
    prefix = "activity"
    kind = forms.ChoiceField(
        label=_("类型"), choices=ActivityKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    happened_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label=_("参与人"), required=False, max_length=300)
    summary = forms.CharField(label=_("纪要"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class TerminateForm(forms.Form):
    termination_reason = forms.ChoiceField(
        label=_("终止原因"),
        choices=[("", _("请选择")), *TerminationReason.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("说明（各方可见）"), widget=forms.Textarea(attrs={"rows": 2}))


class BrokerChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # users are Any here
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssistantsForm(forms.Form):
    """Assisting brokers (协办经纪人), chosen by the lead broker or an operator."""

    prefix = "assist"
    brokers: forms.ModelMultipleChoiceField[Any] = BrokerChoiceField(
        label=_("协办经纪人"),
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 5}),
        help_text=_("按住 Ctrl（Mac 为 ⌘）可多选；全部取消即清空。"),
    )

    def __init__(self, *args: Any, lead_broker_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from techmarket.orgs.models import Role

        field = self.fields["brokers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            get_user_model()
            .objects.filter(memberships__role=Role.BROKER, memberships__is_active=True, is_active=True)
            .exclude(pk=lead_broker_id or 0)
            .distinct()
            .order_by("pk")
        )


def _orgs() -> Any:
    from techmarket.orgs.models import Organization

    return Organization.objects.filter(status=Organization.Status.APPROVED).order_by("name")


class EngagementCreateForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=120)
    demand_org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("需求方"), queryset=_orgs())
    supply_org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("供给方"), queryset=_orgs(), required=False
    )
    summary = forms.CharField(label=_("项目简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


OPEN_STAGE_CHOICES = [(s, Stage(s).label) for s in OPEN_STAGES]
