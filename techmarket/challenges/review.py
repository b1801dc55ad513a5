"""Challenges as a panel subject: entries are the submitted applications, parties are the teams."""

from datetime import datetime
from typing import Any

from django.db.models import Q

from techmarket.decisions.models import RequestStatus
from techmarket.experts.models import Expert

from .models import Application, Challenge
from .panels import PanelSubject, register_subject


def team_of(application: Application) -> list[Expert]:
    return [
        application.lead_expert,
        *[m for m in application.members.all() if m.pk != application.lead_expert_id],
    ]


def _parties(application: Application) -> tuple[list[Any], list[Expert]]:
    team = team_of(application)
    orgs = [application.organization, *[e.affiliation for e in team]]
    return orgs, team


def _entries(challenge: Challenge) -> Any:
    return (
        Application.objects.unscoped()
        .filter(challenge=challenge, status__in=[RequestStatus.PENDING, RequestStatus.APPROVED])
        .select_related("organization", "lead_expert__affiliation")
        .prefetch_related("members__affiliation")
        .order_by("created_at", "pk")
    )


def _co_members(expert: Expert, others: list[Expert], since: datetime, entry: Any) -> list[Expert]:
    """Experts among ``others`` who sat in a team with ``expert`` in an application since ``since``."""
    past = (
        Application.objects.unscoped()
        .filter(Q(members=expert) | Q(lead_expert=expert), created_at__gte=since)
        .exclude(pk=getattr(entry, "pk", None))
        .prefetch_related("members")
        .distinct()
    )
    mates: set[int] = set()
    for app in past:
        mates.update(e.pk for e in team_of(app))
    return [o for o in others if o.pk in mates]


def _field_codes(challenge: Challenge) -> tuple[list[str], list[str]]:
    return ([challenge.industry_id] if challenge.industry_id else []), []


def _suggested(challenge: Challenge) -> list[Expert]:
    """Experts the matching engine suggests for the challenge's source need (public text only)."""
    need = challenge.need
    if need is None:
        return []
    try:
        from django.contrib.auth.models import AnonymousUser

        from techmarket.catalog.scopes import system_context
        from techmarket.matching.selectors import suggestions_for

        with system_context():  # public experts only: the anonymous visitor's view
            found = suggestions_for(AnonymousUser(), need, target="experts", k=10)
        return [s.obj for s in found]  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - an empty or rebuilding index must not stop the operator drawing a panel
        return []


CHALLENGE_PANELS = register_subject(
    PanelSubject(
        subject_model=Challenge,
        entry_model=Application,
        entries=_entries,
        parties=_parties,
        subject_parties=lambda c: [c.owner],
        field_codes=_field_codes,
        co_members=_co_members,
        suggested=_suggested,
    )
)
