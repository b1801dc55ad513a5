from typing import Any

from django import forms
from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from . import evaluations
from .models import EvaluationItem, EvaluationScheme, Target


class EvaluationItemForm(forms.ModelForm):
    metric = forms.ChoiceField(label="指标")

    class Meta:
        model = EvaluationItem
        fields = ["metric", "weight"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        metric_field = self.fields["metric"]
        assert isinstance(metric_field, forms.ChoiceField)
        metric_field.choices = evaluations.metric_choices()


class EvaluationItemInline(admin.TabularInline):
    model = EvaluationItem
    form = EvaluationItemForm
    extra = 1


class EvaluationSchemeForm(forms.ModelForm):
    subject = forms.ChoiceField(label="评价对象")

    class Meta:
        model = EvaluationScheme
        fields = ["name", "subject", "description", "is_active", "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subject_field = self.fields["subject"]
        assert isinstance(subject_field, forms.ChoiceField)
        subject_field.choices = [(s.key, str(s.label)) for s in evaluations.subjects()]


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(AuditedModelAdmin):
    form = EvaluationSchemeForm
    inlines = [EvaluationItemInline]
    list_display = ["name", "subject", "is_active", "sort_order"]


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ["year", "indicator", "region", "value", "note"]
    list_filter = ["year"]
