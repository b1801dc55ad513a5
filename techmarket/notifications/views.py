from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.catalog import registry

from . import selectors, services
from .forms import SavedSearchCreateForm, SavedSearchEditForm
from .models import Notification, SavedSearch
from .registry import list_url_with_params, target_spec


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list_for(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "query": "", "unread_total": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    services.notification_mark_read(notification=notification, acting_user=request.user)
    if "open" in request.POST and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(acting_user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("notifications:list")


@login_required
def saved_search_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for saved in selectors.saved_search_list_for(request.user):
        spec = target_spec(saved.target)
        rows.append(
            {
                "saved": saved,
                "summary": selectors.filter_summary(saved),
                "list_url": list_url_with_params(spec, saved.params) if spec else "",
                "form": SavedSearchEditForm(
                    initial={
                        "name": saved.name,
                        "notify_email": saved.notify_email,
                        "notify_in_site": saved.notify_in_site,
                    },
                    auto_id=f"id_s{saved.pk}_%s",
                ),
            }
        )
    subscribable = [
        {"label": t.label, "list_url": t.list_url()} for t in registry.saved_search_types() if t.list_url()
    ]
    return render(
        request,
        "notifications/saved_search_list.html",
        {"rows": rows, "limit": services.MAX_SAVED_SEARCHES, "subscribable": subscribable},
    )


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = SavedSearchCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无法保存订阅：请求不完整，请回到列表页重试。"))
        return redirect("notifications:searches")
    data = form.cleaned_data
    spec = target_spec(data["target"])
    back = redirect("notifications:searches")
    if spec is not None:
        # Back to the same list page (our own path; the query string only selects filters).
        query = QueryDict(data["query"]).copy()
        query.pop("page", None)
        back = redirect(reverse(spec.list_url) + (f"?{query.urlencode()}" if query else ""))
    try:
        saved = services.saved_search_create(
            user=request.user,
            target=data["target"],
            query_string=data["query"],
            name=data["name"],
            notify_email=data["notify_email"],
        )
    except ValidationError as exc:
        messages.error(request, _("无法保存订阅：%(e)s") % {"e": _errors(exc)})
        return back
    messages.success(
        request,
        _("已保存订阅“%(name)s”。有新的匹配条目发布时会通知您，可在“我的订阅”中管理。")
        % {"name": saved.name},
    )
    return back


@login_required
@require_POST
def saved_search_edit(request: HttpRequest, search_id: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=search_id, user=request.user)
    form = SavedSearchEditForm(request.POST)
    if form.is_valid():
        try:
            services.saved_search_update(saved_search=saved, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("订阅“%(name)s”已更新。") % {"name": saved.name})
    else:
        messages.error(request, _("请填写订阅名称（最多 60 个字）。"))
    return redirect("notifications:searches")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, search_id: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=search_id, user=request.user)
    name = saved.name
    services.saved_search_delete(saved_search=saved, acting_user=request.user)
    messages.success(request, _("已删除订阅“%(name)s”。") % {"name": name})
    return redirect("notifications:searches")
