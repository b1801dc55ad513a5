from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.roles import operator_required
from techmarket.core.forms import StyledForm
from techmarket.core.http import query_without_page

from .labels import action_choices, action_label
from .models import AuditLog
from .selectors import audit_log_list


class AuditFilterForm(StyledForm):
    actor = forms.CharField(label=_("操作人"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    target_id = forms.CharField(label=_("对象编号"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actions: list[str], target_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部操作"))] + action_choices(actions)
        self.fields["target_type"].choices = [("", _("全部类型"))] + target_types


@operator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actions = list(AuditLog.objects.values_list("action", flat=True).distinct().order_by("action")[:300])
    types = ContentType.objects.filter(pk__in=AuditLog.objects.values("target_type").distinct())
    target_types = sorted({(t.model, str(t.model_class()._meta.verbose_name) if t.model_class() else t.model)
                           for t in types}, key=lambda kv: kv[1])
    form = AuditFilterForm(request.GET or None, actions=actions, target_types=target_types)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_log_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for log in page.object_list:
        log.action_name = action_label(log.action)
    return render(request, "audit/log.html",
                  {"form": form, "page": page, "actions": actions, "query": query_without_page(request)})
