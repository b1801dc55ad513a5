"""Form fields for code tables, grouped so a person can find a code without knowing it."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q

from .models import Industry, Region


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
        return obj.full_name if obj.level == Region.Level.COUNTY else f"{obj.name}（市辖全域）"


class IndustryChoiceField(forms.ModelChoiceField):
    """GB/T 4754-2017 divisions (大类), labelled with their code."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Industry.objects.filter(level=2).order_by("code"), **kwargs)

    def label_from_instance(self, obj: Industry) -> str:
        return f"{obj.section}{obj.code} {obj.name}"
