"""Expert and talent pages: directory with filters, profile, profile form, contact requests."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.core.forms import attach_errors
from techmarket.core.http import query_without_page
from techmarket.orgs.models import Organization

from . import selectors, services
from .forms import ExpertFilterForm, ExpertForm
from .models import Availability, ContactPermission, Expert

# Service error keys that are named differently on the form.
_FIELD_ALIASES = {"organizations": "related_organizations"}


def _own_profile(user: Any) -> Expert | None:
    if not user.is_authenticated:
        return None
    return Expert.objects.unscoped().filter(user=user).only("pk", "name").first()


def expert_list(request: HttpRequest) -> HttpResponse:
    form = ExpertFilterForm(request.GET or None)
    qs = selectors.expert_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    labels = dict(_availability_choices())
    rows = [(expert, [labels.get(v, v) for v in expert.availability or []]) for expert in page]
    return render(
        request,
        "experts/expert_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "own_profile": _own_profile(request.user),
            "can_import": roles.administers_any_organization(request.user),
        },
    )


def _availability_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Availability.choices]


def expert_detail(request: HttpRequest, expert_id: int) -> HttpResponse:
    user = request.user
    expert = selectors.expert_get_visible(user, expert_id)
    can_manage = selectors.can_manage_expert(user, expert)
    is_self = user.is_authenticated and expert.user_id == user.pk
    labels = dict(_availability_choices())
    context: dict[str, Any] = {
        "expert": expert,
        "contact_visible": selectors.can_see_expert_contact(user, expert),
        "can_manage": can_manage,
        "is_self": is_self,
        "availability": [labels.get(v, v) for v in expert.availability or []],
    }
    if user.is_authenticated and not context["contact_visible"]:
        context["my_request"] = ContactPermission.objects.filter(expert=expert, user=user).first()
    if can_manage:
        context["related_organizations"] = list(expert.related_organizations.order_by("name"))
        context["incoming"] = list(expert.contact_permissions.select_related("user")[:50])
        # The expert decides who sees their contact details; operators may act when the profile has no account.
        context["can_decide"] = is_self or roles.is_operator(user)
    return render(request, "experts/expert_detail.html", context)


def _affiliation_choices(user: Any, *, current: int | None = None) -> QuerySet[Organization]:
    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    if roles.is_operator(user):
        return approved.order_by("name")
    ids = [o.pk for o in roles.user_organizations(user)]
    return Organization.objects.filter(Q(pk__in=ids) | Q(pk=current or 0)).order_by("name")


def _form(request: HttpRequest, **kwargs: Any) -> ExpertForm:
    return ExpertForm(
        request.POST or None,
        operator=roles.is_operator(request.user),
        organization_choices=Organization.objects.filter(status=Organization.Status.APPROVED).order_by(
            "name"
        ),
        **kwargs,
    )


@login_required
def expert_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    affiliations = _affiliation_choices(user)
    if not affiliations.exists():
        messages.warning(request, _("请先加入已通过审核的单位（高校、院所或企业），再登记专家档案。"))
        return redirect("core:workspace")
    is_admin = roles.administers_any_organization(user)
    own = _own_profile(user)
    if own is not None and not is_admin:
        messages.info(request, _("您已有专家档案，可以在这里修改。"))
        return redirect("experts:edit", expert_id=own.pk)
    form = _form(request, affiliation_choices=affiliations)
    if is_admin and own is None:
        form.fields["link_to_me"] = _link_field()
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        affiliation = data.pop("affiliation")
        link = data.pop("link_to_me", False)
        try:
            with transaction.atomic():
                expert = services.expert_create(
                    acting_user=user, affiliation=affiliation, user=user if link else None, **data
                )
                if form.cleaned_data["related_organizations"]:
                    services.expert_set_relations(
                        expert=expert,
                        acting_user=user,
                        organizations=form.cleaned_data["related_organizations"],
                    )
        except ValidationError as exc:
            attach_errors(form, exc, _FIELD_ALIASES)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权为该单位登记专家。"))
        else:
            messages.success(request, _("专家档案已保存。"))
            return redirect("experts:detail", expert_id=expert.pk)
    return render(request, "experts/expert_form.html", {"form": form, "title": _("登记专家档案")})


def _link_field() -> Any:
    from django import forms

    return forms.BooleanField(
        label=_("这是我本人的专家档案（关联我的账户）"),
        required=False,
        help_text=_("不勾选则为本单位其他专家登记，档案不关联任何账户。"),
    )


@login_required
def expert_edit(request: HttpRequest, expert_id: int) -> HttpResponse:
    user = request.user
    expert = selectors.expert_get_visible(user, expert_id)
    if not selectors.can_manage_expert(user, expert):
        raise PermissionDenied
    form = _form(
        request,
        instance=expert,
        affiliation_choices=_affiliation_choices(user, current=expert.affiliation_id),
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        relations = form.cleaned_data["related_organizations"]
        try:
            with transaction.atomic():
                services.expert_update(expert=expert, acting_user=user, **data)
                if {o.pk for o in relations} != set(
                    expert.related_organizations.values_list("pk", flat=True)
                ):
                    services.expert_set_relations(expert=expert, acting_user=user, organizations=relations)
        except ValidationError as exc:
            attach_errors(form, exc, _FIELD_ALIASES)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权修改该专家档案。"))
        else:
            messages.success(request, _("专家档案已更新。"))
            return redirect("experts:detail", expert_id=expert.pk)
    return render(
        request, "experts/expert_form.html", {"form": form, "expert": expert, "title": _("修改专家档案")}
    )


@login_required
@require_POST
def contact_request(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = selectors.expert_get_visible(request.user, expert_id)
    try:
        services.expert_contact_request(
            expert=expert, acting_user=request.user, message=request.POST.get("message", "")[:200]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已向专家发送联系申请，专家同意后您即可看到联系方式。"))
    return redirect("experts:detail", expert_id=expert.pk)


@login_required
@require_POST
def contact_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    qs = ContactPermission.objects.select_related("expert", "user")
    if not roles.is_operator(request.user):
        qs = qs.filter(expert__user=request.user.pk)
    permission = qs.filter(pk=request_id).first()
    if permission is None:
        raise Http404
    accept = request.POST.get("accept") == "1"
    decide = services.expert_accept_contact if accept else services.expert_decline_contact
    who = str(permission.user)
    try:
        decide(expert=permission.expert, user=permission.user, acting_user=request.user)
    except ValidationError as exc:  # e.g. decided meanwhile in another tab
        messages.error(request, "；".join(exc.messages))
    else:
        _decided_message(request, accept, who)
    if request.POST.get("next") == "mine":
        return redirect("experts:my_requests")
    return redirect("experts:detail", expert_id=permission.expert_id)


def _decided_message(request: HttpRequest, accept: bool, who: str) -> None:
    if accept:
        messages.success(request, _("已同意 %(who)s 查看您的联系方式。") % {"who": who})
    else:
        messages.success(request, _("已谢绝 %(who)s 的联系申请。") % {"who": who})


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    user = request.user
    received = ContactPermission.objects.filter(expert__user=user.pk).select_related("expert", "user")
    sent = ContactPermission.objects.filter(user=user.pk).select_related("expert", "expert__affiliation")
    return render(
        request,
        "experts/my_requests.html",
        {
            "received": Paginator(received, 50).get_page(request.GET.get("page")),
            "sent": sent[:50],
            "own_profile": _own_profile(user),
            "title": _("联系申请"),
        },
    )
