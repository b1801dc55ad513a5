"""Forms of the facilities domain; their rules come from fields.py (the service checks them again)."""

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from techmarket.core.forms import with_all
from techmarket.reference.forms import (
    ChainNodeMultipleChoiceField,
    DisciplineMultipleChoiceField,
    IndustryChainFilterForm,
    IndustryMultipleChoiceField,
    RegionChoiceField,
    RegionFilterField,
)
from techmarket.reference.models import ChainNode, Discipline, Industry

from .fields import BOOKING_FIELDS, FACILITY_FIELDS, PROJECT_FIELDS, SERVICE_FIELDS
from .models import Facility, FacilityService, Project


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            continue
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
        )


class _FacilityListFilterForm(IndustryChainFilterForm):
    """What the facility and service lists share: keyword, region, the industry served and the chain link.
    A subclass adds its own choice fields and names them in ``plain_filters``."""

    industry_label = _("服务行业")
    plain_filters: tuple[str, ...] = ()

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    region = RegionFilterField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["q", *self.plain_filters, "region", "industry", "chain_node"])
        _style(self)

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            **{k: d.get(k) or "" for k in ("q", *self.plain_filters, "region")},
            **self.industry_chain_filters(),
        }


class FacilityFilterForm(_FacilityListFilterForm):
    plain_filters = ("kind", "status")

    kind = forms.ChoiceField(label=_("类型"), required=False, choices=with_all(Facility.Kind.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=with_all(Facility.Status.choices))


MULTI_HELP = _("可多选：按住 Ctrl（Mac 上为 ⌘）点选。")


class FacilityForm(forms.ModelForm):
    region = RegionChoiceField(label=_("所在地区"))
    industries = IndustryMultipleChoiceField(
        label=_("服务行业（GB/T 4754）"),
        required=False,
        queryset=Industry.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=MULTI_HELP,
    )
    disciplines = DisciplineMultipleChoiceField(
        label=_("学科（GB/T 13745）"),
        required=False,
        queryset=Discipline.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=MULTI_HELP,
    )
    chain_nodes = ChainNodeMultipleChoiceField(
        label=_("产业链环节"),
        required=False,
        queryset=ChainNode.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=MULTI_HELP,
    )

    class Meta:
        model = Facility
        fields = [
            "name", "kind", "region", "address", "industries", "disciplines", "chain_nodes", "summary",
            "capacity", "equipment", "opens_at", "closes_at", "open_weekdays", "parallel_capacity",
            "contact_name", "contact_phone",
        ]  # fmt: skip
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "equipment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, organisations: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("依托单位"),
                queryset=type(organisations[0]).objects.filter(pk__in=[o.pk for o in organisations]),
                initial=organisations[0].pk,
            )
            self.order_fields(["name", "kind", "owner"])
        instance = self.instance
        current: dict[str, list[Any]] = {
            name: list(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
            for name in ("industries", "disciplines", "chain_nodes")
        }
        # Divisions (and first-level disciplines, active chains), plus whatever finer or retired values are
        # stored, so an edit does not drop them.
        cast(forms.ModelChoiceField, self.fields["industries"]).queryset = Industry.objects.filter(
            Q(level=2) | Q(pk__in=current["industries"])
        ).order_by("code")
        cast(forms.ModelChoiceField, self.fields["disciplines"]).queryset = Discipline.objects.order_by(
            "code"
        )
        cast(forms.ModelChoiceField, self.fields["chain_nodes"]).queryset = (
            ChainNode.objects.filter(Q(chain__is_active=True) | Q(pk__in=current["chain_nodes"]))
            .select_related("chain", "parent")
            .order_by("chain__sort_order", "chain__name", "sort_order", "pk")
        )
        FACILITY_FIELDS.apply_to_form(self)
        self.fields["open_weekdays"].required = False
        self.fields["parallel_capacity"].required = False
        _style(self)


class BookingForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("申请单位"), coerce=int)
    facility_service = forms.TypedChoiceField(
        label=_("服务项目"), required=False, coerce=int, empty_value=None, help_text=_("从服务目录中选择")
    )
    service = forms.CharField(
        label=_("所需服务"), required=False, help_text=_("未在目录中的服务请写明，例如：原理验证、检验检测")
    )
    message = forms.CharField(label=_("需求说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(
        label=_("开始时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    engagement = forms.TypedChoiceField(
        label=_("所属对接项目"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("可选：服务于哪项对接"),
    )

    def __init__(
        self, *args: Any, organisations: list[Any], engagements: Any = (), services: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.choices = [(o.pk, o.name) for o in organisations]
        offered: Any = self.fields["facility_service"]
        offered.choices = [("", _("（目录外的服务）"))] + [
            (s.pk, f"{s.name}（{s.get_kind_display()}）") for s in services
        ]
        engagement: Any = self.fields["engagement"]
        engagement.choices = [("", _("不关联"))] + [(e.pk, e.title) for e in engagements]
        BOOKING_FIELDS.apply_to_form(self)
        self.fields["service"].required = False
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("facility_service") and not data.get("service"):
            self.add_error("service", _("请从服务目录中选择，或写明所需服务。"))
        return data


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title", "team", "goals", "results", "transferred_to"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3}), "results": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        PROJECT_FIELDS.apply_to_form(self)
        _style(self)


class ServiceForm(forms.ModelForm):
    class Meta:
        model = FacilityService
        fields = [
            "name",
            "kind",
            "unit",
            "price",
            "lead_time_days",
            "requirements",
            "description",
            "is_active",
        ]
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        SERVICE_FIELDS.apply_to_form(self)
        _style(self)


class ServiceFilterForm(_FacilityListFilterForm):
    plain_filters = ("kind", "facility_kind")

    kind = forms.ChoiceField(
        label=_("服务类别"), required=False, choices=with_all(FacilityService.Kind.choices)
    )
    facility_kind = forms.ChoiceField(
        label=_("平台类型"), required=False, choices=with_all(Facility.Kind.choices)
    )


class QuoteForm(forms.Form):
    quote_price = forms.DecimalField(label=_("报价（元）"), max_digits=12, decimal_places=2, min_value=0)
    quote_date = forms.DateField(label=_("预计交付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("报价说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DeliverForm(forms.Form):
    report = forms.FileField(label=_("服务报告（PDF 或 Word）"))
    note = forms.CharField(label=_("交付说明"), required=False, max_length=300)
    verified = forms.BooleanField(label=_("验证通过（所属验证、中试项目记为“已通过验证”）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class EvaluateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), coerce=int, choices=[(n, n) for n in (5, 4, 3, 2, 1)])
    comment = forms.CharField(label=_("评价"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.TypedChoiceField)
        rating.choices = [(n, ngettext("%(n)d 分", "%(n)d 分", n) % {"n": n}) for n in (5, 4, 3, 2, 1)]
        _style(self)


class RecognitionApplyForm(forms.Form):
    statement = forms.CharField(
        label=_("申报说明"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("建设运行情况、服务成效、团队与设备条件等，至少 20 个字"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class EvaluationForm(forms.Form):
    period = forms.CharField(label=_("评价周期"), max_length=32, help_text=_("例如：2026 年度"))
    statement = forms.CharField(
        label=_("评价说明"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("至少 10 个字"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class RecognitionPanelForm(forms.Form):
    criteria = forms.CharField(
        label=_("评审指标与权重"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一项：“指标名称 权重”，权重为正数"),
    )
    trimmed = forms.BooleanField(label=_("去掉最高分和最低分"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class RecognitionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("决定"), choices=[("pass", _("通过")), ("fail", _("不通过"))])
    reason = forms.CharField(label=_("决定理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
