"""View helpers shared by the catalogue apps: workflow actions, confidential-detail access, form errors."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .forms import AccessRequestForm, ActionForm
from .models import AccessGrant
from .services import access_decide, access_request
from .visibility import can_edit, can_view_confidential, is_owner_member


def owner_choices(user: Any) -> Any:
    """Organisations a user may publish for: their approved ones, every approved one for operators."""
    if roles.is_operator(user):
        return Organization.objects.filter(status=Organization.Status.APPROVED)
    return Organization.objects.filter(pk__in=[o.pk for o in roles.user_organizations(user)])


def access_context(request: HttpRequest, item: Any) -> dict[str, Any]:
    """What the confidential part of a detail page needs: the request form or the owner's grant list."""
    context: dict[str, Any] = {}
    if (
        item.confidential_detail
        and request.user.is_authenticated
        and not can_view_confidential(request.user, item)
    ):
        context["access_form"] = AccessRequestForm()
        context["request_orgs"] = [o for o in roles.user_organizations(request.user) if o.pk != item.owner_id]
    if is_owner_member(request.user, item) or roles.is_operator(request.user):
        context["grants"] = AccessGrant.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
        ).select_related("organization", "requested_by")
    return context


def run_action(request: HttpRequest, *, item: Any, transition: Callable[..., Any], success: str) -> None:
    """Apply a workflow action from a POSTed form and say what happened."""
    form = ActionForm(request.POST)
    form.is_valid()
    try:
        transition(
            action=request.resolver_match.kwargs["action"] if request.resolver_match else "",
            reason=form.cleaned_data.get("reason", ""),
            expected_state=form.cleaned_data.get("expected_state") or None,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
    else:
        messages.success(request, success % {"s": item.get_status_display()})


def run_access_request(request: HttpRequest, item: Any, *, owner_noun: str) -> None:
    form = AccessRequestForm(request.POST)
    org_id = request.POST.get("organization", "")
    org = Organization.objects.filter(pk=org_id).first() if org_id.isdigit() else None
    if org is None or not form.is_valid():
        messages.error(request, _("请选择申请机构、填写用途并确认保密承诺。"))
        return
    try:
        access_request(
            item=item,
            acting_user=request.user,
            organization=org,
            purpose=form.cleaned_data["purpose"],
            nda_accepted=form.cleaned_data["nda_accepted"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("已提交查看申请，%(owner)s授权后即可查看保密详情。") % {"owner": owner_noun}
        )


def run_access_decision(request: HttpRequest, item: Any, grant_id: int) -> None:
    grant = get_object_or_404(
        AccessGrant,
        pk=grant_id,
        object_id=item.pk,
        content_type=ContentType.objects.get_for_model(type(item)),
    )
    if not can_edit(request.user, item):
        raise Http404
    try:
        access_decide(
            grant=grant,
            acting_user=request.user,
            grant_access=request.POST.get("grant") == "1",
            reason=request.POST.get("reason", "")[:500],
            expected_state=request.POST.get("expected_state") or None,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return
    messages.success(request, _("已处理“%(org)s”的查看申请。") % {"org": grant.organization.name})
