"""Reads on challenges and applications: THE visibility rules, used by pages, the API and the figures."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.accounts import roles
from techmarket.catalog.filters import industry_q
from techmarket.orgs.models import Membership

from .models import (
    Application,
    Batch,
    Challenge,
    Milestone,
    Objection,
    Panel,
    PanelMember,
    Payment,
    Question,
    TeamInvitation,
)
from .workflow import is_challenge_operator

C = Challenge.Status
PUBLIC_STATUSES = (C.OPEN, C.REVIEWING, C.PUBLICITY, C.AWARDED, C.COMPLETED)


def _member_org_ids(user: Any) -> Any:
    return Membership.objects.filter(user=user, is_active=True).values("organization_id")


def challenge_visible_q(user: Any) -> Q:
    """Published challenges for everybody; drafts for the owner's members; everything for operators."""
    if is_challenge_operator(user):
        return Q()
    visible = Q(status__in=PUBLIC_STATUSES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(owner_id__in=_member_org_ids(user))
    return visible


def challenge_list_visible_to(
    user: Any, *, q: str = "", batch: int | None = None, status: str = "", mode: str = "", industry: str = ""
) -> QuerySet[Challenge]:
    qs = Challenge.objects.scoped(challenge_visible_q(user)).select_related("owner", "batch", "industry")
    if q:
        for term in q.replace("\x00", "").split()[:5]:
            qs = qs.filter(
                Q(title__icontains=term) | Q(problem__icontains=term) | Q(deliverables__icontains=term)
            )
    if batch:
        qs = qs.filter(batch_id=batch)
    if status:
        qs = qs.filter(status=status)
    if mode:
        qs = qs.filter(mode=mode)
    if industry:
        qs = qs.filter(industry_q(industry))
    return qs.order_by("-published_at", "-pk")


def challenge_get_visible(user: Any, pk: int) -> Challenge:
    challenge = challenge_list_visible_to(user).filter(pk=pk).first()
    if challenge is None:
        raise Http404
    return challenge


def batch_list_visible_to(user: Any) -> QuerySet[Batch]:
    visible = Q() if is_challenge_operator(user) else Q(published_at__isnull=False)
    return Batch.objects.scoped(visible)


def batch_get_visible(user: Any, pk: int) -> Batch:
    batch = batch_list_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def application_visible_q(user: Any) -> Q:
    """Operators: all. The team (its organisation's members, the applicant): its own. The enterprise: the
    applications to its challenges. Reviewers: applications of challenges whose panel they sit on, once
    scoring started (a conflict is refused when they open one, with the reason). Nobody else."""
    if is_challenge_operator(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    orgs = _member_org_ids(user)
    seats = PanelMember.objects.unscoped().filter(
        expert__user=user, panel__status__in=[Panel.Status.SCORING, Panel.Status.CLOSED]
    )
    challenge_seats = [
        s.panel
        for s in seats.select_related("panel", "panel__subject_type")
        if s.panel.subject_type.model == "challenge"
    ]
    # a selection panel reviews the challenge's applications; an acceptance panel only the winning team's
    selecting = [p.subject_id for p in challenge_seats if p.purpose == Panel.Purpose.SELECTION]
    accepting = Challenge.objects.unscoped().filter(
        pk__in=[p.subject_id for p in challenge_seats if p.purpose == Panel.Purpose.ACCEPTANCE]
    )
    return (
        Q(requested_by=user)
        | Q(organization_id__in=orgs)
        | Q(challenge__owner_id__in=orgs)
        | Q(challenge_id__in=selecting)
        | Q(pk__in=accepting.values("proposed_application_id"))
    )


def application_list_visible_to(
    user: Any, *, challenge: Challenge | None = None, status: str = ""
) -> QuerySet[Application]:
    qs = Application.objects.scoped(application_visible_q(user)).select_related(
        "challenge", "organization", "lead_expert", "requested_by"
    )
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "pk")


def application_get_visible(user: Any, pk: int) -> Application:
    application = application_list_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def is_team(user: Any, application: Application) -> bool:
    return application.requested_by_id == getattr(user, "pk", None) or roles.is_org_member(
        user, application.organization
    )


def milestones_of(application: Application) -> QuerySet[Milestone]:
    """Milestones are read through their (already visible) application."""
    return Milestone.objects.filter(application=application).order_by("order")


def sees_funding(user: Any, application: Application) -> bool:
    """The funding of an application (tranches and payments) is read by the team, the enterprise and
    operators; reviewers and everybody else read none of it."""
    return (
        is_team(user, application)
        or is_challenge_operator(user)
        or roles.is_org_member(user, application.challenge.owner)
    )


def payments_visible_to(user: Any, application: Application) -> QuerySet[Payment]:
    """The payments of an (already visible) application's milestones, for those who see its funding."""
    if not sees_funding(user, application):
        return Payment.objects.none()
    return Payment.objects.filter(milestone__application=application).select_related("milestone")


def objections_visible_to(user: Any, challenge: Challenge) -> QuerySet[Objection]:
    """Answered objections are public (askers anonymous); pending ones only for the asker and operators."""
    visible = Q(status__in=["approved", "rejected"])
    if is_challenge_operator(user):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible |= Q(raised_by=user)
    return Objection.objects.scoped(visible).filter(challenge=challenge)


def my_panel_seats(user: Any) -> QuerySet[PanelMember]:
    if not getattr(user, "is_authenticated", False):
        return PanelMember.objects.none()
    return PanelMember.objects.unscoped().filter(expert__user=user).select_related("panel", "expert")


def questions_visible_to(user: Any, challenge: Challenge) -> QuerySet[Question]:
    """Answered questions for everybody; unanswered ones for the asker, the enterprise and operators."""
    visible = Q(answered_at__isnull=False)
    if is_challenge_operator(user) or roles.is_org_member(user, challenge.owner):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible |= Q(asked_by=user)
    return Question.objects.scoped(visible).filter(challenge=challenge)


def my_team_invitations(user: Any) -> QuerySet[TeamInvitation]:
    """组阁 invitations addressed to the user's expert profile (the only people who see them besides operators,
    who read them on the challenge's team page)."""
    if not getattr(user, "is_authenticated", False):
        return TeamInvitation.objects.none()
    return TeamInvitation.objects.scoped(Q(expert__user=user)).select_related("challenge", "expert")


def team_invitations_of(user: Any, challenge: Challenge) -> QuerySet[TeamInvitation]:
    """A challenge's 组阁 invitations: all for operators and the bureau, one's own for an invited expert."""
    if is_challenge_operator(user):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible = Q(expert__user=user)
    else:
        visible = Q(pk__in=[])
    return (
        TeamInvitation.objects.scoped(visible)
        .filter(challenge=challenge)
        .select_related("expert__affiliation")
    )
