"""Application files (plans, budgets, prior results): visible as the application is; the team uploads.
Reviewers see them only through an application they may open (a conflicted reviewer never gets here)."""

from techmarket.decisions.models import RequestStatus
from techmarket.documents.registry import register

from .selectors import application_list_visible_to, challenge_list_visible_to, is_team
from .workflow import is_challenge_operator

register(
    "challenges.application",
    can_view=lambda user, a: application_list_visible_to(user).filter(pk=a.pk).exists(),
    can_upload=lambda user, a: (
        is_team(user, a) and a.status in (RequestStatus.PENDING, RequestStatus.APPROVED)
    ),
    can_view_confidential=lambda user, a: is_team(user, a) or is_challenge_operator(user),
)

register(
    "challenges.challenge",
    can_view=lambda user, c: challenge_list_visible_to(user).filter(pk=c.pk).exists(),
    can_upload=lambda user, c: is_challenge_operator(user),
    can_view_confidential=None,
)
