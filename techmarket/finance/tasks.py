"""Background work of finance: points recomputes. Tasks take primary keys and call a service."""

from celery import shared_task

from techmarket.orgs.models import Organization


@shared_task(acks_late=True)
def recompute_points(org_id: int, reason: str = "") -> str:
    from .services import points_recompute

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "missing"
    snap = points_recompute(organization=org, reason=reason)
    return "changed" if snap is not None else "unchanged"


@shared_task(acks_late=True)
def recompute_all_points(reason: str = "") -> int:
    """After the operators changed the indicators: every approved enterprise."""
    from .services import points_recompute

    changed = 0
    for org in Organization.objects.filter(
        kind=Organization.Kind.ENTERPRISE, status=Organization.Status.APPROVED
    ).order_by("pk"):
        changed += points_recompute(organization=org, reason=reason) is not None
    return changed
