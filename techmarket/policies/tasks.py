"""Background pushes. Tasks take primary keys and call a service (inline without a broker)."""

from celery import shared_task


@shared_task(acks_late=True, name="techmarket.policies.tasks.push_policy")
def push_policy(policy_id: int) -> int:
    from .services import policy_push

    return policy_push(policy_id=policy_id)


@shared_task(acks_late=True, name="techmarket.policies.tasks.push_organization")
def push_organization(organization_id: int) -> int:
    from .services import organization_push

    return organization_push(organization_id=organization_id)


def schedule_organization_push(organization: object) -> None:
    """orgs.profile_services.PROFILE_LISTENERS: inside the profile's transaction, owe a re-evaluation."""
    from techmarket.outbox.services import outbox_enqueue

    outbox_enqueue(task="techmarket.policies.tasks.push_organization", args=[organization.pk])  # type: ignore[attr-defined]
