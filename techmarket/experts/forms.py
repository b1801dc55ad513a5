from typing import Any, cast

from django import forms
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm
from techmarket.orgs.models import Organization
from techmarket.reference.forms import (
    DisciplineMultipleChoiceField,
    IndustryMultipleChoiceField,
    RegionFilterField,
)
from techmarket.reference.models import Discipline, Industry

from .models import Availability, Expert


class ExpertForm(StyledForm):
    """The profile page form. Writes go through experts.services; the view passes the choices it allows."""

    affiliation = forms.ModelChoiceField(label=_("所在单位"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(
        label=_("职称"), max_length=64, required=False, help_text=_("例如：教授、研究员、高级工程师。")
    )
    research_fields = forms.CharField(
        label=_("研究方向"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写具体的技术方向和关键词，企业和经纪人按此检索和匹配。"),
    )
    bio = forms.CharField(
        label=_("个人简介"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    disciplines = DisciplineMultipleChoiceField(
        label=_("学科"),
        required=False,
        queryset=Discipline.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("GB/T 13745 一级学科，可多选。"),
    )
    industries = IndustryMultipleChoiceField(
        label=_("服务行业"),
        required=False,
        queryset=Industry.objects.filter(level=2).order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("GB/T 4754 行业大类，可多选。"),
    )
    availability = forms.MultipleChoiceField(
        label=_("合作意向"), choices=Availability.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    panel_eligible = forms.BooleanField(label=_("可担任评审专家"), required=False)
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        help_text=_("只对经纪人、平台运营、本单位管理员和专家同意的用户显示。"),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("手机号或带区号的座机号，例如 0539-8766123；显示范围同电子邮箱。"),
    )
    related_organizations = forms.ModelMultipleChoiceField(
        label=_("申报的关联单位"),
        required=False,
        queryset=Organization.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "用于评审回避：曾任职、兼职、持股或近三年合作的单位（所在单位无需填写）。"
            "按住 Ctrl（Mac 上为 ⌘）点击可多选或取消。"
        ),
    )
    is_active = forms.BooleanField(label=_("在专家目录中展示"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        affiliation_choices: Any,
        organization_choices: Any,
        operator: bool,
        instance: Expert | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "affiliation": instance.affiliation_id,
                "name": instance.name,
                "title": instance.title,
                "research_fields": instance.research_fields,
                "bio": instance.bio,
                "disciplines": list(instance.disciplines.all()),
                "industries": list(instance.industries.all()),
                "availability": list(instance.availability or []),
                "panel_eligible": instance.panel_eligible,
                "email": instance.email,
                "phone": instance.phone,
                "is_active": instance.is_active,
                "related_organizations": list(instance.related_organizations.all()),
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["affiliation"]).queryset = affiliation_choices
        if instance is None and affiliation_choices.count() == 1:
            self.fields["affiliation"].initial = affiliation_choices.first().pk
        if instance is not None:
            # Declared relations first, so a multi-select shows what is chosen without scrolling.
            chosen = [o.pk for o in self.initial.get("related_organizations", [])]
            organization_choices = organization_choices.order_by(
                Case(When(pk__in=chosen, then=0), default=1), "name"
            )
        cast(forms.ModelChoiceField, self.fields["related_organizations"]).queryset = organization_choices
        # Review panels decide on money and awards: eligibility is set by operators only.
        if not operator:
            del self.fields["panel_eligible"]
        if instance is None:
            del self.fields["is_active"]

    def service_data(self) -> dict[str, Any]:
        """The cleaned fields expert_create / expert_update take (relations go separately)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "related_organizations"}
        data["disciplines"] = list(data.get("disciplines") or [])
        data["industries"] = list(data.get("industries") or [])
        return data


_PANEL_CHOICES = [("", _("不限")), ("1", _("可担任评审专家")), ("0", _("非评审专家"))]


class ExpertFilterForm(StyledForm):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、研究方向或简介")}),
    )
    discipline = forms.ChoiceField(label=_("学科"), required=False)
    industry = forms.ChoiceField(label=_("服务行业"), required=False)
    availability = forms.ChoiceField(
        label=_("合作意向"), required=False, choices=[("", _("全部意向")), *Availability.choices]
    )
    panel_eligible = forms.ChoiceField(label=_("评审专家"), required=False, choices=_PANEL_CHOICES)
    region = RegionFilterField()
    affiliation = forms.TypedChoiceField(label=_("所在单位"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        cast(forms.ChoiceField, self.fields["discipline"]).choices = [("", _("全部学科"))] + [
            (code, name) for code, name in Discipline.objects.order_by("code").values_list("code", "name")
        ]
        cast(forms.ChoiceField, self.fields["industry"]).choices = [("", _("全部行业"))] + [
            (code, name)
            for code, name in Industry.objects.filter(level=2).order_by("code").values_list("code", "name")
        ]
        # Only organisations that have experts: a list of every registered company would bury them.
        with_experts = Organization.objects.filter(experts__isnull=False, status=Organization.Status.APPROVED)
        cast(forms.ChoiceField, self.fields["affiliation"]).choices = [("", _("全部单位"))] + list(
            with_experts.distinct().order_by("name").values_list("pk", "name")
        )

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        panel = data.get("panel_eligible")
        return {
            "q": data.get("q") or "",
            "discipline": data.get("discipline") or "",
            "industry": data.get("industry") or "",
            "availability": data.get("availability") or "",
            "panel_eligible": None if not panel else panel == "1",
            "region": data.get("region") or "",
            "affiliation": data.get("affiliation"),
        }
