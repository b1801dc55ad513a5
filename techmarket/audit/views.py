import csv
import json
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.roles import operator_required
from techmarket.core.forms import StyledForm
from techmarket.core.http import query_without_page
from techmarket.imports.export import neutralise

from .labels import action_choices, action_label
from .models import AuditLog
from .selectors import audit_log_list
from .services import audit_record


class AuditFilterForm(StyledForm):
    actor = forms.CharField(label=_("操作人"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    target_id = forms.CharField(label=_("对象编号"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, actions: list[str], target_types: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", str(_("全部操作"))),
            *action_choices(actions),
        ]
        cast(forms.ChoiceField, self.fields["target_type"]).choices = [
            ("", str(_("全部类型"))),
            *target_types,
        ]


def _filter_choices() -> tuple[list[str], list[tuple[str, str]]]:
    actions = list(AuditLog.objects.values_list("action", flat=True).distinct().order_by("action")[:300])
    types = ContentType.objects.filter(pk__in=AuditLog.objects.values("target_type").distinct())
    labels = set()
    for t in types:
        model = t.model_class()
        labels.add((t.model, str(model._meta.verbose_name) if model is not None else t.model))
    target_types = sorted(labels, key=lambda kv: kv[1])
    return actions, target_types


@operator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actions, target_types = _filter_choices()
    form = AuditFilterForm(request.GET or None, actions=actions, target_types=target_types)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_log_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for log in page.object_list:
        setattr(log, "action_name", action_label(log.action, log.target_model()))  # noqa: B010 - shown by the template
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "actions": actions, "query": query_without_page(request)},
    )


@operator_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV for auditors, with each record's chain hashes; the export itself is audited."""
    actions, target_types = _filter_choices()
    form = AuditFilterForm(request.GET or None, actions=actions, target_types=target_types)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    qs = audit_log_list(request.user, **filters).order_by("id")
    audit_record(
        actor=request.user,
        action="audit.log.export",
        request=request,
        after={"filters": {k: str(v) for k, v in filters.items()}, "rows": qs.count()},
    )
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(qs: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(
        [
            "id",
            "created_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target",
            "before",
            "after",
            "note",
            "ip",
            "prev_hash",
            "record_hash",
        ]
    )
    for log in qs.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                log.pk,
                log.created_at.isoformat(),
                neutralise(log.actor_label),
                log.action,
                log.target_type.model if log.target_type else "",
                log.target_id,
                neutralise(log.target_label),
                json.dumps(log.before, ensure_ascii=False),
                json.dumps(log.after, ensure_ascii=False),
                neutralise(log.note),
                log.ip_address or "",
                log.prev_hash,
                log.record_hash,
            ]
        )
