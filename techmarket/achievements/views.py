"""The achievement pages: list with filters, create and edit, review queue, detail with confidential part."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.accounts.roles import operator_required
from techmarket.catalog.forms import AccessRequestForm, ActionForm
from techmarket.catalog.models import AccessGrant, ListingStatus
from techmarket.catalog.services import access_decide, access_request, confidential_detail_read
from techmarket.catalog.visibility import (
    can_edit,
    can_see_owner,
    can_view_confidential,
    is_owner_member,
    owner_label,
)
from techmarket.catalog.workflow import available_actions
from techmarket.orgs.models import Organization
from techmarket.reference.models import TechnologyReadinessLevel

from . import selectors, services
from .forms import AchievementFilterForm, AchievementForm
from .models import Achievement, TransferMode

_MODE_LABELS = dict(TransferMode.choices)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _mode_labels(item: Achievement) -> list[str]:
    return [str(_MODE_LABELS.get(mode, mode)) for mode in item.transfer_modes or []]


def _rows(request: HttpRequest, page: Any, *, own: bool = False) -> list[tuple[Any, ...]]:
    trl_names = dict(TechnologyReadinessLevel.objects.values_list("level", "name"))
    return [(item, item.owner.name if own else owner_label(request.user, item), trl_names.get(item.trl, ""),
             _mode_labels(item)) for item in page]


def achievement_list(request: HttpRequest) -> HttpResponse:
    form = AchievementFilterForm(request.GET or None)
    qs = selectors.achievement_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "achievements/achievement_list.html", {
        "form": form, "page": page, "rows": _rows(request, page), "query": _query_without_page(request),
        "title": _("科技成果"), "can_import": bool(roles.user_organizations(request.user)),
    })


@login_required
def my_achievements(request: HttpRequest) -> HttpResponse:
    orgs = roles.user_organizations(request.user)
    qs = selectors.achievement_list_visible_to(request.user, ordering="updated").filter(owner__in=orgs)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "achievements/achievement_list.html", {
        "page": page, "rows": _rows(request, page, own=True), "query": _query_without_page(request),
        "title": _("本机构的成果"), "mine": True, "statuses": ListingStatus.choices, "status": status,
    })


@operator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    qs = selectors.achievement_list_visible_to(request.user, status=ListingStatus.PENDING).order_by(
        "submitted_at", "pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "achievements/achievement_list.html", {
        "page": page, "rows": _rows(request, page, own=True), "query": "", "title": _("待审核的成果"),
        "review": True,
    })


def achievement_detail(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    trl = TechnologyReadinessLevel.objects.filter(level=achievement.trl).first() if achievement.trl else None
    context: dict[str, Any] = {
        "achievement": achievement,
        "owner_label": owner_label(request.user, achievement),
        "trl": trl,
        "mode_labels": _mode_labels(achievement),
        # Team members' affiliations would reveal an anonymous owner.
        "team": list(achievement.team.all()) if can_see_owner(request.user, achievement) else [],
        "confidential": confidential_detail_read(item=achievement, user=request.user, request=request)
        if achievement.confidential_detail else None,
        "can_edit": can_edit(request.user, achievement) and achievement.status not in services.FROZEN,
        "actions": available_actions(request.user, achievement) if request.user.is_authenticated else [],
    }
    if achievement.confidential_detail and request.user.is_authenticated \
            and not can_view_confidential(request.user, achievement):
        context["access_form"] = AccessRequestForm()
        context["request_orgs"] = [o for o in roles.user_organizations(request.user) if o.pk != achievement.owner_id]
    if is_owner_member(request.user, achievement) or roles.is_operator(request.user):
        context["grants"] = AccessGrant.objects.filter(
            content_type=ContentType.objects.get_for_model(Achievement), object_id=achievement.pk
        ).select_related("organization", "requested_by")
    return render(request, "achievements/achievement_detail.html", context)


def _owner_choices(user: Any) -> Any:
    if roles.is_operator(user):
        return Organization.objects.filter(status=Organization.Status.APPROVED)
    ids = [o.pk for o in roles.user_organizations(user)]
    return Organization.objects.filter(pk__in=ids)


def _attach(form: Any, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("您无权执行此操作。"))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _fields(form: AchievementForm) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = dict(form.cleaned_data)
    return data, data.pop("ip_rights")


@login_required
def achievement_create(request: HttpRequest) -> HttpResponse:
    owners = _owner_choices(request.user)
    if not owners.exists():
        messages.warning(request, _("您所在的机构通过审核后才能发布成果。"))
        return redirect("core:workspace")
    form = AchievementForm(request.POST or None, owner_choices=owners)
    if request.method == "POST" and form.is_valid():
        data, ip_rights = _fields(form)
        owner = data.pop("owner")
        try:
            # Submitting checks completeness (price, TRL, transfer modes): if that fails, nothing is saved
            # and the reasons show on the form, next to the fields to fill in.
            with transaction.atomic():
                achievement = services.achievement_create(acting_user=request.user, owner=owner,
                                                          ip_rights=ip_rights, **data)
                if "submit" in request.POST:
                    services.achievement_transition(achievement=achievement, action="submit",
                                                    acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _attach(form, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, _("成果已提交审核。"))
            else:
                messages.success(request, _("成果已保存为草稿。"))
            return redirect("achievements:detail", achievement_id=achievement.pk)
    return render(request, "achievements/achievement_form.html", {"form": form, "title": _("发布科技成果")})


def _ip_changed(achievement: Achievement, rows: list[dict[str, Any]]) -> bool:
    keys = ("ip_type", "number", "title", "legal_status", "expiry_date")

    def norm(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(row.get(k) or "") for k in keys)

    return [norm(r) for r in achievement.ip_rights.values(*keys)] != [norm(r) for r in rows]


@login_required
def achievement_edit(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    if not can_edit(request.user, achievement):
        raise PermissionDenied
    if achievement.status in services.FROZEN:
        messages.warning(request, _("“%(s)s”的成果不能再修改。") % {"s": achievement.get_status_display()})
        return redirect("achievements:detail", achievement_id=achievement.pk)
    was_listed = achievement.is_listed
    form = AchievementForm(request.POST or None, instance=achievement)
    if request.method == "POST" and form.is_valid():
        data, ip_rights = _fields(form)
        try:
            with transaction.atomic():
                services.achievement_update(achievement=achievement, acting_user=request.user, **data)
                if _ip_changed(achievement, ip_rights):
                    services.achievement_ip_set(achievement=achievement, acting_user=request.user,
                                                ip_rights=ip_rights)
                submitted = "submit" in request.POST and achievement.status in {
                    ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED}
                if submitted:
                    services.achievement_transition(achievement=achievement, action="submit",
                                                    acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            achievement.refresh_from_db()
            _attach(form, exc)
        else:
            if submitted:
                messages.success(request, _("修改已保存并提交审核。"))
            elif was_listed and achievement.status == ListingStatus.PENDING:
                messages.success(request, _("修改已保存。成果已重新提交审核，审核通过前暂不对外展示。"))
            else:
                messages.success(request, _("修改已保存。"))
            return redirect("achievements:detail", achievement_id=achievement.pk)
    return render(request, "achievements/achievement_form.html", {
        "form": form, "achievement": achievement, "title": _("修改成果"), "was_listed": was_listed})


@login_required
@require_POST
def achievement_action(request: HttpRequest, achievement_id: int, action: str) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    form = ActionForm(request.POST)
    form.is_valid()
    try:
        services.achievement_transition(achievement=achievement, action=action, acting_user=request.user,
                                        reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
    else:
        messages.success(request, _("操作成功：成果当前状态为“%(s)s”。") % {"s": achievement.get_status_display()})
    if request.POST.get("next") == "review":
        return redirect("achievements:review")
    return redirect("achievements:detail", achievement_id=achievement.pk)


@login_required
@require_POST
def achievement_request_access(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    form = AccessRequestForm(request.POST)
    org = Organization.objects.filter(pk=request.POST.get("organization")).first()
    if org is None or not form.is_valid():
        messages.error(request, _("请选择申请机构、填写用途并确认保密承诺。"))
    else:
        try:
            access_request(item=achievement, acting_user=request.user, organization=org,
                           purpose=form.cleaned_data["purpose"], nda_accepted=form.cleaned_data["nda_accepted"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已提交查看申请，成果方授权后即可查看保密详情。"))
    return redirect("achievements:detail", achievement_id=achievement.pk)


@login_required
@require_POST
def achievement_decide_access(request: HttpRequest, achievement_id: int, grant_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    grant = get_object_or_404(AccessGrant, pk=grant_id, object_id=achievement.pk,
                              content_type=ContentType.objects.get_for_model(Achievement))
    if not can_edit(request.user, achievement):
        raise Http404
    access_decide(grant=grant, acting_user=request.user, grant_access=request.POST.get("grant") == "1")
    messages.success(request, _("已处理“%(org)s”的查看申请。") % {"org": grant.organization.name})
    return redirect("achievements:detail", achievement_id=achievement.pk)
