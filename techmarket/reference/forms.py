"""Form fields for code tables, grouped so a person can find a code without knowing it."""

import re
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import ChainNode, Discipline, Industry, Region


def region_queryset() -> Any:
    query = Q()
    for prefix in settings.PLATFORM_REGION_PREFIXES:
        query |= Q(code__startswith=prefix)
    return Region.objects.filter(query).exclude(level=Region.Level.PROVINCE).order_by("code")


class RegionChoiceField(forms.ModelChoiceField):
    """Prefectures and counties of the platform's province, grouped by prefecture."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=region_queryset(), **kwargs)

    def label_from_instance(self, obj: Region) -> str:
        return (
            obj.full_name
            if obj.level == Region.Level.COUNTY
            else _("%(name)s（市辖全域）") % {"name": obj.name}
        )


def region_filter_choices() -> list[Any]:
    """The platform's province, then each prefecture with its counties (an <optgroup> per prefecture); the
    option values are GB/T 2260 codes, the labels names."""
    province: list[tuple[str, str]] = []
    groups: dict[str, list[tuple[str, str]]] = {}
    prefectures: dict[str, str] = {}
    query = Q()
    for prefix in settings.PLATFORM_REGION_PREFIXES:
        query |= Q(code__startswith=prefix)
    for region in Region.objects.filter(query).order_by("code").only("code", "name", "level"):
        if region.level == Region.Level.PROVINCE:
            province.append((region.code, str(_("%(name)s（全省）") % {"name": region.name})))
        elif region.level == Region.Level.PREFECTURE:
            prefectures[region.code[:4]] = region.name
            groups[region.name] = [(region.code, str(_("%(name)s（全市）") % {"name": region.name}))]
        else:
            group = prefectures.get(region.code[:4], "")
            groups.setdefault(group, []).append((region.code, region.name))
    return [("", _("全部地区")), *province, *groups.items()]


class RegionFilterField(forms.ChoiceField):
    """A region filter chosen by name (province → prefecture → county), sent as the GB/T 2260 code under the
    same query parameter as before, so saved links (?region=371300) and the API are unchanged. A bare code
    prefix from an older link (e.g. ?region=3713) is still accepted."""

    LEGACY_CODE = re.compile(r"\d{2,6}")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("地区"))
        kwargs.setdefault("required", False)
        super().__init__(choices=region_filter_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(value) or bool(self.LEGACY_CODE.fullmatch(str(value)))


class GroupedChoicesMixin:
    """Options in <optgroup>s, built lazily from the queryset each time the widget renders (a reassigned
    queryset regroups). Subclasses say which group an object belongs to."""

    def group_of(self, obj: Any) -> str:
        raise NotImplementedError

    def _grouped_choices(self) -> list[Any]:
        field: Any = self
        groups: dict[str, list[tuple[Any, str]]] = {}
        for obj in field.queryset:
            groups.setdefault(self.group_of(obj), []).append(
                (field.prepare_value(obj), field.label_from_instance(obj))
            )
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + list(groups.items())

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        self.widget.choices = CallableChoiceIterator(self._grouped_choices)  # type: ignore[attr-defined]

    # django-stubs do not declare ModelChoiceField._get_queryset (Django's own property getter).
    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]


def _section_names() -> dict[str, str]:
    return dict(Industry.objects.filter(level=1).values_list("section", "name"))


class IndustryChoiceField(GroupedChoicesMixin, forms.ModelChoiceField):
    """GB/T 4754-2017 divisions (大类) by name, grouped by section (门类); the code is in the value only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("不限") if not kwargs.get("required", True) else _("请选择行业"))
        super().__init__(queryset=Industry.objects.filter(level=2).order_by("code"), **kwargs)

    def group_of(self, obj: Industry) -> str:
        names = getattr(self, "_sections", None)
        if names is None:
            names = self._sections = _section_names()
        return names.get(obj.section, obj.section)

    def label_from_instance(self, obj: Industry) -> str:
        return obj.name


class ChainNodeChoiceField(GroupedChoicesMixin, forms.ModelChoiceField):
    """Links of the active industry chains, grouped by chain; a sub-link shows its parent (上游 › 正极材料)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", ChainNode.objects.filter(chain__is_active=True))
        kwargs.setdefault(
            "empty_label", _("不属于任何产业链") if not kwargs.get("required", True) else _("请选择环节")
        )
        super().__init__(**kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        if queryset is not None:
            queryset = queryset.select_related("chain", "parent").order_by(
                "chain__sort_order", "chain__name", "sort_order", "pk"
            )
        super()._set_queryset(queryset)

    # django-stubs do not declare ModelChoiceField._get_queryset (Django's own property getter).
    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def group_of(self, obj: ChainNode) -> str:
        return obj.chain.name

    def label_from_instance(self, obj: ChainNode) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent is not None else obj.name


class IndustryMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several GB/T 4754 codes, labelled by name (people look for 化学, not 26); the form sets the queryset."""

    def label_from_instance(self, obj: Industry) -> str:
        return obj.name


class DisciplineMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several GB/T 13745 disciplines, labelled by name."""

    def label_from_instance(self, obj: Discipline) -> str:
        return obj.name


class ChainNodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several chain links, labelled with their chain and parent (新能源汽车 · 上游 › 正极材料)."""

    def label_from_instance(self, obj: ChainNode) -> str:
        link = f"{obj.parent.name} › {obj.name}" if obj.parent is not None else obj.name
        return f"{obj.chain.name} · {link}"


class IndustryChainFilterForm(forms.Form):
    """Base of list filters that narrow by one industry (GB/T 4754 division) and one chain link: the two fields
    and what they hand to a selector (``industry`` as the code, ``chain_node`` as the pk). A subclass names the
    industry field for its list in ``industry_label`` (服务行业 for facilities)."""

    industry_label: Any = _("行业")

    industry = IndustryChoiceField(
        label=_("行业"), required=False, empty_label=_("全部行业"), to_field_name="code"
    )
    chain_node = ChainNodeChoiceField(label=_("产业链环节"), required=False, empty_label=_("全部环节"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].label = self.industry_label

    def industry_chain_filters(self) -> dict[str, Any]:
        """The two filters from cleaned data ("" and None when not chosen)."""
        d = self.cleaned_data
        return {
            "industry": d["industry"].code if d.get("industry") else "",
            "chain_node": d["chain_node"].pk if d.get("chain_node") else None,
        }
