"""The experts panel of the workspace: one's own profile and the contact requests waiting for an answer."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import ContactPermission, Expert


def experts_panel(user: Any) -> dict[str, Any] | None:
    # One's own profile, whatever its state: the expert manages it.
    profile = Expert.objects.unscoped().filter(user=user).only("pk").first()
    pending = ContactPermission.objects.filter(
        expert__user=user, status=ContactPermission.Status.REQUESTED
    ).count()
    researcher = any(
        o.kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE)
        for o in roles.user_organizations(user)
    )
    if profile is None and not pending and not researcher:
        return None
    profile_url = reverse("experts:detail", args=[profile.pk]) if profile else reverse("experts:create")
    return {
        "title": _("专家人才"),
        "links": [
            (_("我的专家档案"), profile_url, 1 if profile else 0),
            (_("待处理的联系申请"), reverse("experts:my_requests"), pending),
        ],
    }
