"""Reads the workflow kernel needs: who the operators are, which objects are overdue."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from techmarket.orgs.models import Organization, Role


def operator_users() -> QuerySet[Any]:
    """Active users who count as platform operators (see accounts.roles)."""
    User = get_user_model()
    return (
        User.objects.filter(
            Q(is_superuser=True)
            | Q(
                memberships__role=Role.OPERATOR,
                memberships__is_active=True,
                memberships__organization__status=Organization.Status.APPROVED,
                memberships__organization__is_platform_operator=True,
            ),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def overdue(workflow: Any, *, now: Any) -> QuerySet[Any]:
    """Objects of a workflow whose due time has passed."""
    queryset: QuerySet[Any] = workflow.model._base_manager.filter(**{f"{workflow.due_field}__lte": now})
    return queryset.order_by(workflow.due_field, "pk")
