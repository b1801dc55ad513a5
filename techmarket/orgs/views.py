from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.accounts.roles import operator_required
from techmarket.core.forms import attach_errors

from . import profile_selectors, profile_services, selectors, services
from .forms import JoinDecisionForm, RejectForm
from .models import JoinRequest, Membership, Organization
from .profile_forms import EnterpriseProfileForm


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the operator came from (a local path only), else the review queue."""
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        return redirect(next_url)
    return redirect("orgs:review_queue")


def organization_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    qs = selectors.organization_list_visible_to(
        request.user, q=q, kind=kind, status=request.GET.get("status", "")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/organization_list.html",
        {"page": page, "q": q, "kind": kind, "kinds": Organization.Kind.choices},
    )


def organization_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(selectors.organization_list_visible_to(request.user), pk=org_id)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "members": selectors.organization_members(request.user, org),
            "can_admin": roles.is_org_admin(request.user, org),
            "reject_form": RejectForm(),
            **_enterprise_profile_context(request.user, org),
        },
    )


@operator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.organization_review_queue(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orgs/review_queue.html", {"page": page, "reject_form": RejectForm()})


@operator_required
@require_POST
def approve(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=org_id)
    try:
        services.organization_approve(
            organization=org,
            acting_user=request.user,
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as exc:  # e.g. another operator decided meanwhile
        messages.error(request, "；".join(exc.messages))
        return _back(request)
    messages.success(request, _("已通过“%(name)s”的注册审核。") % {"name": org.name})
    return _back(request)


@operator_required
@require_POST
def reject(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=org_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("驳回时必须填写原因。"))
    else:
        try:
            services.organization_reject(
                organization=org,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                expected_state=request.POST.get("expected_state") or None,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已驳回“%(name)s”，原因已通知申请人。") % {"name": org.name})
    return _back(request)


@login_required
@require_POST
def join(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=org_id, status=Organization.Status.APPROVED)
    try:
        services.join_request_create(
            user=request.user,
            organization=org,
            role=request.POST.get("role", "member"),
            message=request.POST.get("message", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if request.POST.get("role") == "broker":
            messages.success(request, _("已提交技术经理人身份申请，平台运营人员核验证书后生效。"))
        else:
            messages.success(
                request, _("已向“%(name)s”提交加入申请，等待机构管理员审批。") % {"name": org.name}
            )
    return redirect("orgs:detail", org_id=org.pk)


@login_required
@require_POST
def decide_join_request(request: HttpRequest, request_id: int) -> HttpResponse:
    jr = get_object_or_404(JoinRequest.objects.select_related("organization", "user"), pk=request_id)
    if not roles.is_org_admin(request.user, jr.organization):
        raise Http404
    form = JoinDecisionForm(request.POST)
    form.is_valid()
    try:
        services.join_request_decide(
            join_request=jr,
            acting_user=request.user,
            approve=form.cleaned_data.get("approve", False),
            note=form.cleaned_data.get("note", ""),
            broker_level=form.cleaned_data.get("broker_level", ""),
            certificate_number=form.cleaned_data.get("certificate_number", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已处理 %(user)s 的加入申请。") % {"user": jr.user})
    return redirect("core:workspace")


@login_required
@require_POST
def withdraw_join_request(request: HttpRequest, request_id: int) -> HttpResponse:
    jr = get_object_or_404(
        JoinRequest.objects.select_related("organization"), pk=request_id, user=request.user
    )
    try:
        services.join_request_withdraw(join_request=jr, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤回加入“%(name)s”的申请。") % {"name": jr.organization.name})
    return redirect("core:workspace")


# --- enterprise profile (企业画像) ---------------------------------------------------------------


def _enterprise_profile_context(user: Any, org: Organization) -> dict[str, Any]:
    if org.kind != Organization.Kind.ENTERPRISE:
        return {}
    return {
        "enterprise_profile": profile_selectors.enterprise_profile_get(org),
        "profile_figures": profile_selectors.can_see_enterprise_figures(user, org),
        "certifications": list(
            org.certifications.select_related("tag").order_by("tag__sort_order", "tag__name")
        ),
    }


@login_required
def enterprise_profile_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(selectors.organization_list_visible_to(request.user), pk=org_id)
    if org.kind != Organization.Kind.ENTERPRISE:
        raise Http404
    if not roles.is_org_admin(request.user, org):
        raise PermissionDenied
    context = _enterprise_profile_context(request.user, org)
    form = EnterpriseProfileForm(
        request.POST or None,
        profile=context["enterprise_profile"],
        certifications=context["certifications"],
        tag_ids=set(org.tags.values_list("pk", flat=True)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile_services.enterprise_profile_update(
                organization=org, acting_user=request.user, **form.service_data()
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("企业画像已更新。"))
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/profile_form.html", {"org": org, "form": form})


@login_required
@require_POST
def membership_role(request: HttpRequest, org_id: int, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=membership_id, organization_id=org_id
    )
    try:
        services.membership_change_role(
            membership=membership, role=request.POST.get("role", ""), acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已把 %(name)s 的角色改为“%(role)s”。")
            % {"name": membership.user.display_name, "role": membership.get_role_display()},
        )
    return redirect("orgs:detail", org_id=org_id)


@login_required
@require_POST
def membership_remove(request: HttpRequest, org_id: int, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=membership_id, organization_id=org_id
    )
    try:
        services.membership_remove(membership=membership, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已移除 %(name)s 的“%(role)s”身份。")
            % {"name": membership.user.display_name, "role": membership.get_role_display()},
        )
    return redirect("orgs:detail", org_id=org_id)
