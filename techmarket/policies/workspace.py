"""The policies panel of the workspace: policies an enterprise qualifies for, applications to decide."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import PolicyApplication
from .permissions import enterprise_organisations, may_decide_applications
from .selectors import applications_visible_to, pushes_visible_to


def policies_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    links: list[tuple[Any, str, int]] = []
    orgs = enterprise_organisations(user)
    if orgs:
        links.append(
            (
                _("推送给本企业的政策"),
                reverse("policies:qualify"),
                pushes_visible_to(user).filter(organization__in=orgs).count(),
            )
        )
        links.append(
            (
                _("本企业的直达快享申请"),
                reverse("policies:applications"),
                applications_visible_to(user).count(),
            )
        )
    if may_decide_applications(user):
        pending = applications_visible_to(user, status=PolicyApplication.Status.PENDING).count()
        links.append(
            (_("待审核的直达快享申请"), reverse("policies:applications") + "?status=pending", pending)
        )
    if not links:
        return None
    return {"title": _("政策"), "links": links}
