"""Forms for the achievement pages: the edit form (with the IP list as text lines) and the list filters."""

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.models import ListingStatus
from techmarket.core.forms import StyledForm, StyledFormMixin
from techmarket.core.text import word_list
from techmarket.experts.models import Expert
from techmarket.reference.forms import (
    ChainNodeChoiceField,
    IndustryChoiceField,
    RegionChoiceField,
    RegionFilterField,
)
from techmarket.reference.models import ChainNode, Discipline, Industry, TechnologyReadinessLevel

from .fields import ACHIEVEMENT_FIELDS
from .models import Achievement, IPType, LegalStatus, Stage, TransferMode

_KEYWORD_SPLIT = re.compile(r"[,，、;；\n]+")
_IP_ITEM_SPLIT = re.compile(r"[\n；;]+")
_PIPE = re.compile(r"[|｜]")


def trl_choices() -> list[tuple[int, str]]:
    """TRL 1–9 with the names of GB/T 22900-2022, read from the reference table (operators may reword them)."""
    names = TechnologyReadinessLevel.display_names()
    return [
        (level, f"TRL {level} · {names[level]}" if names.get(level) else f"TRL {level}")
        for level in range(1, 10)
    ]


class IPLinesField(forms.CharField):
    """The IP list typed one item per line as “类型|编号|名称|法律状态|到期日” (the format of the Excel sheet).

    Only the shape is checked here; patent formats and check digits are checked by the service, whose
    messages name the same item number (“第 2 项知识产权：…”).
    """

    widget = forms.Textarea(
        attrs={
            "rows": 4,
            "placeholder": "发明专利|ZL202310123456.6|一种正极材料包覆方法|已授权|2043-03-01\n软件著作权|2024SR0123456|电池管理软件V1.0|已登记",
        }
    )
    _types = {**{str(label): value for value, label in IPType.choices}, **{v: v for v in IPType.values}}
    _legal = {
        **{str(label): value for value, label in LegalStatus.choices},
        **{v: v for v in LegalStatus.values},
    }

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]  # parses to rows
        text = super().to_python(value) or ""
        rows, errors = [], []
        for number, line in enumerate((p.strip() for p in _IP_ITEM_SPLIT.split(text) if p.strip()), start=1):
            parts = [p.strip() for p in _PIPE.split(line)] + [""] * 5
            if parts[0] not in self._types:
                errors.append(
                    ValidationError(
                        _("第 %(n)d 项“%(line)s”：类型“%(v)s”无效，可选：%(ok)s。"),
                        params={
                            "n": number,
                            "line": line[:40],
                            "v": parts[0],
                            "ok": word_list(str(label) for label in IPType.labels),
                        },
                    )
                )
            elif not parts[2]:
                errors.append(
                    ValidationError(
                        _(
                            "第 %(n)d 项“%(line)s”缺少名称：请按“类型|编号|名称|法律状态|到期日”填写，"
                            "法律状态和到期日可省略。"
                        ),
                        params={"n": number, "line": line[:40]},
                    )
                )
            elif parts[3] and parts[3] not in self._legal:
                errors.append(
                    ValidationError(
                        _("第 %(n)d 项“%(line)s”：法律状态“%(v)s”无效，可选：%(ok)s。"),
                        params={
                            "n": number,
                            "line": line[:40],
                            "v": parts[3],
                            "ok": word_list(str(label) for label in LegalStatus.labels),
                        },
                    )
                )
            else:
                rows.append(
                    {
                        "ip_type": self._types[parts[0]],
                        "number": parts[1],
                        "title": parts[2],
                        "legal_status": self._legal.get(parts[3], LegalStatus.GRANTED),
                        "expiry_date": parts[4] or None,
                    }
                )
        if errors:
            raise ValidationError(errors)
        return rows

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            types, legal = dict(IPType.choices), dict(LegalStatus.choices)
            return "\n".join(
                "|".join(
                    [
                        str(types.get(r["ip_type"], r["ip_type"])),
                        r.get("number") or "",
                        r["title"],
                        str(legal.get(r.get("legal_status"), "")),
                        str(r.get("expiry_date") or ""),
                    ]
                ).rstrip("|")
                for r in value
            )
        return value


class IndustryMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several GB/T 4754 divisions, labelled like reference.forms.IndustryChoiceField."""

    label_from_instance = IndustryChoiceField.label_from_instance  # type: ignore[assignment]


class DisciplineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Discipline) -> str:
        return obj.name  # by name: people look for 化学, not 150


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Expert) -> str:
        return f"{obj.name} · {obj.title}" if obj.title else obj.name


class AchievementForm(StyledFormMixin, forms.ModelForm):
    keywords = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=700,
        help_text=_("最多 20 个，用逗号或“、”分隔，例如：正极材料、包覆、锂电池。"),
    )
    discipline = DisciplineChoiceField(
        label=_("学科（GB/T 13745）"),
        required=False,
        queryset=Discipline.objects.order_by("code"),
        empty_label=_("请选择学科"),
    )
    industries = IndustryMultipleChoiceField(
        label=_("适用行业（GB/T 4754）"),
        required=False,
        queryset=Industry.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可多选：按住 Ctrl（Mac 上为 ⌘）点选。"),
    )
    trl = forms.TypedChoiceField(
        label=_("技术成熟度（TRL）"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("GB/T 22900-2022 的 1–9 级；提交审核前必填。"),
    )
    transfer_modes = forms.MultipleChoiceField(
        label=_("转化方式"),
        choices=TransferMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("提交审核前至少选择一种。"),
    )
    asking_price_wan = forms.DecimalField(
        label=_("报价（万元）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("单位：万元。不便公开报价时勾选下方“面议”。"),
    )
    ip_rights = IPLinesField(
        label=_("知识产权"),
        required=False,
        help_text=_(
            "每行一项：类型|编号|名称|法律状态|到期日（与 Excel 导入格式相同）。类型如发明专利、实用新型、"
            "外观设计、软件著作权、技术秘密；法律状态和到期日可省略，到期日写成 2043-03-01。"
            "专利号会校验格式和校验位。"
        ),
    )
    region = RegionChoiceField(label=_("所在地区"), required=False)
    chain_node = ChainNodeChoiceField(label=_("产业链环节"), required=False)
    empowerment_share = forms.DecimalField(
        label=_("完成人所占份额（%）"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("赋予所有权时，成果完成人（团队）持有的份额，例如 70。"),
    )
    team = TeamChoiceField(
        label=_("团队成员"),
        required=False,
        queryset=Expert.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Achievement
        fields = [
            "title",
            "summary",
            "keywords",
            "discipline",
            "industries",
            "trl",
            "stage",
            "advantages",
            "route_to_market",
            "transfer_modes",
            "asking_price_wan",
            "price_negotiable",
            "ip_rights",
            "team",
            "region",
            "chain_node",
            "empowerment",
            "empowerment_share",
            "separately_managed",
            "visibility",
            "is_anonymous",
            "confidential_detail",
            "external_key",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ["summary", "advantages", "route_to_market", "confidential_detail"]
        }

    def __init__(self, *args: Any, owner_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same limits and checks as the service (achievements/fields.py), shown next to each field.
        ACHIEVEMENT_FIELDS.apply_to_form(self)
        instance = self.instance
        cast(forms.ChoiceField, self.fields["trl"]).choices = [("", _("未评估")), *trl_choices()]
        current = list(instance.industries.values_list("pk", flat=True)) if instance.pk else []
        # Divisions, plus whatever finer codes an import or the API stored, so an edit does not drop them.
        cast(forms.ModelChoiceField, self.fields["industries"]).queryset = Industry.objects.filter(
            Q(level=2) | Q(pk__in=current)
        ).order_by("code")
        cast(forms.ModelChoiceField, self.fields["chain_node"]).queryset = ChainNode.objects.select_related(
            "chain"
        ).filter(chain__is_active=True)
        if instance.pk:
            self.initial["keywords"] = "、".join(instance.keywords or [])
            self.initial["ip_rights"] = list(
                instance.ip_rights.values("ip_type", "number", "title", "legal_status", "expiry_date")
            )
        team_orgs = [instance.owner_id] if instance.pk else [o.pk for o in owner_choices or []]
        in_team = Q(pk__in=instance.team.values("pk")) if instance.pk else Q(pk__in=[])
        # The team picker offers the publishing organisations' own experts (and the current team).
        experts = (
            Expert.objects.unscoped()
            .filter(Q(affiliation_id__in=team_orgs) | in_team)
            .select_related("affiliation")
        )
        experts = experts.order_by("name")
        if experts.exists():
            cast(forms.ModelChoiceField, self.fields["team"]).queryset = experts
            self.fields["team"].help_text = _("从本单位已登记的专家中选择。")
        else:
            del self.fields["team"]
        if owner_choices is not None:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("发布机构"), queryset=owner_choices, initial=owner_choices.first()
            )
            self.fields["owner"].widget.attrs["class"] = "form-select"
            self.order_fields(["owner"])

    def clean_keywords(self) -> list[str]:
        return [w.strip() for w in _KEYWORD_SPLIT.split(self.cleaned_data.get("keywords") or "") if w.strip()]

    def _post_clean(self) -> None:  # services validate; the model's own validation runs there
        pass


class AchievementFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    discipline = DisciplineChoiceField(
        label=_("学科"),
        required=False,
        empty_label=_("全部学科"),
        queryset=Discipline.objects.order_by("code"),
        to_field_name="code",
    )
    industry = IndustryChoiceField(
        label=_("行业"), required=False, empty_label=_("全部行业"), to_field_name="code"
    )
    region = RegionFilterField()
    chain_node = ChainNodeChoiceField(label=_("产业链环节"), required=False, empty_label=_("全部环节"))
    trl_min = forms.TypedChoiceField(label=_("TRL 不低于"), required=False, coerce=int, empty_value=None)
    trl_max = forms.TypedChoiceField(label=_("TRL 不高于"), required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(
        label=_("所处阶段"), required=False, choices=[("", _("全部阶段"))] + Stage.choices
    )
    transfer_mode = forms.ChoiceField(
        label=_("转化方式"), required=False, choices=[("", _("全部方式"))] + TransferMode.choices
    )
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
            ("trl", _("成熟度从高到低")),
            ("price", _("报价从低到高")),
            ("updated", _("最近更新")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        cast(forms.ModelChoiceField, self.fields["chain_node"]).queryset = ChainNode.objects.select_related(
            "chain"
        ).filter(chain__is_active=True)
        levels = [(level, f"TRL {level}") for level in range(1, 10)]
        cast(forms.ChoiceField, self.fields["trl_min"]).choices = [("", _("不限")), *levels]
        cast(forms.ChoiceField, self.fields["trl_max"]).choices = [("", _("不限")), *levels]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        low, high = data.get("trl_min"), data.get("trl_max")
        if low is not None and high is not None and low > high:
            data["trl_min"], data["trl_max"] = high, low  # a reversed range means the same range
        return data

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "discipline": data["discipline"].code if data.get("discipline") else "",
            "industry": data["industry"].code if data.get("industry") else "",
            "region": data.get("region") or "",
            "chain_node": data["chain_node"].pk if data.get("chain_node") else None,
            "trl_min": data.get("trl_min"),
            "trl_max": data.get("trl_max"),
            "stage": data.get("stage") or "",
            "transfer_mode": data.get("transfer_mode") or "",
            "status": data.get("status") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ordering": data.get("ordering") or "newest",
        }
