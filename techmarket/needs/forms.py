from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.forms import ParameterLinesField
from techmarket.catalog.models import ListingStatus
from techmarket.core.forms import StyledForm, StyledFormMixin
from techmarket.reference.forms import (
    ChainNodeChoiceField,
    IndustryChoiceField,
    RegionChoiceField,
    RegionFilterField,
)
from techmarket.reference.models import ChainNode

from .fields import NEED_FIELDS
from .models import CooperationForm, CooperationMode, Need, NeedKind, TalentMode


class NeedForm(StyledFormMixin, forms.ModelForm):
    parameters = ParameterLinesField(
        label=_("技术指标"),
        required=False,
        help_text=_("每项填写指标、目标值和单位（单位可省略）；指标越具体，匹配越准确。"),
    )
    cooperation_modes = forms.MultipleChoiceField(
        label=_("合作方式"),
        choices=CooperationMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    talent_modes = forms.MultipleChoiceField(
        label=_("引才方式"),
        choices=TalentMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("人才飞地：人才在外地工作，为本企业研发；项目合作：按项目柔性引进。"),
    )
    cooperation_forms = forms.MultipleChoiceField(
        label=_("合作形式"),
        choices=CooperationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industry = IndustryChoiceField(label=_("所属行业"), required=False)
    region = RegionChoiceField(label=_("所在地区"), required=False)
    chain_node = ChainNodeChoiceField(
        label=_("产业链环节"),
        required=False,
        help_text=_("需求属于哪条产业链的哪个环节，科技局据此“按图索骥”。"),
    )
    deadline = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Need
        fields = [
            "kind",
            "title",
            "summary",
            "talent_position",
            "talent_count",
            "talent_field",
            "talent_education",
            "talent_modes",
            "cooperation_forms",
            "background",
            "problem",
            "parameters",
            "current_solution",
            "expected_outcome",
            "budget_min",
            "budget_max",
            "rd_cycle_months",
            "cooperation_modes",
            "industry",
            "chain_node",
            "region",
            "deadline",
            "visibility",
            "is_anonymous",
            "confidential_detail",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in [
                "summary",
                "background",
                "problem",
                "current_solution",
                "expected_outcome",
                "confidential_detail",
            ]
        }

    def __init__(self, *args: Any, owner_choices: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        NEED_FIELDS.apply_to_form(self)  # the same limits and checks as the service, shown next to each field
        if "chain_node" in self.fields:  # the refinement form's Meta leaves it out
            cast(
                forms.ModelChoiceField, self.fields["chain_node"]
            ).queryset = ChainNode.objects.select_related("chain").filter(chain__is_active=True)
        if "kind" in self.fields:  # the refinement form leaves the kind to the owner
            self.fields["kind"].widget.attrs["data-need-kind"] = "1"
        if owner_choices is not None:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("发布机构"), queryset=owner_choices, initial=owner_choices.first()
            )
            self.fields["owner"].widget.attrs["class"] = "form-select"
            self.order_fields(["owner"])

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        NEED_FIELDS.clean_form(self)
        if "kind" in self.fields and self.cleaned_data.get("kind"):
            # What the kind requires (a technology need's problem …), reported with the other errors
            # instead of after they are fixed; the service checks it again.
            from .services import required_by_kind

            try:
                required_by_kind(self.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    if name in self.fields and name not in self.errors:
                        self.add_error(name, errors)
        return cleaned

    def _post_clean(self) -> None:  # services validate; the model's own validation runs there
        pass


class NeedFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型"))] + NeedKind.choices
    )
    industry = IndustryChoiceField(
        label=_("行业"), required=False, empty_label=_("全部行业"), to_field_name="code"
    )
    region = RegionFilterField()
    chain_node = ChainNodeChoiceField(label=_("产业链环节"), required=False, empty_label=_("全部环节"))
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态"))] + ListingStatus.choices
    )
    date_from = forms.DateField(
        label=_("发布起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("发布止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ordering = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("newest", _("最新发布")),
            ("deadline", _("截止日期")),
            ("budget", _("预算从高到低")),
            ("updated", _("最近更新")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        cast(forms.ModelChoiceField, self.fields["chain_node"]).queryset = ChainNode.objects.select_related(
            "chain"
        ).filter(chain__is_active=True)

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "industry": data["industry"].code if data.get("industry") else "",
            "region": data.get("region") or "",
            "chain_node": data["chain_node"].pk if data.get("chain_node") else None,
            "status": data.get("status") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ordering": data.get("ordering") or "newest",
        }


class NeedRefineForm(NeedForm):
    """The part of a need a broker may propose to rewrite, plus why."""

    note = forms.CharField(
        label=_("凝练说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("说明为什么这样改，例如“把‘性能好’量化为可验收的指标”。需求方会看到。"),
    )

    class Meta(NeedForm.Meta):
        fields = [
            "title",
            "summary",
            "background",
            "problem",
            "parameters",
            "current_solution",
            "expected_outcome",
            "budget_min",
            "budget_max",
            "rd_cycle_months",
            "cooperation_modes",
        ]

    talent_modes = None  # type: ignore[assignment]
    cooperation_forms = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ["industry", "region", "deadline", "chain_node"]:
            self.fields.pop(name, None)
