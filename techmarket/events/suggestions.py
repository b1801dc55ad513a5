"""Meeting suggestions from matching: whom at this event should I meet, given what we both bring?

For each need (achievement) I bring, the matching engine's suggestions of achievements (needs) visible to me
are intersected with what the other participants bring; a participant scores by their best-ranked item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from techmarket.matching.selectors import suggestions_for

from .models import Registration

logger = logging.getLogger(__name__)


@dataclass
class MeetingSuggestion:
    registration: Registration
    mine: Any  # my item
    theirs: Any  # their matching item
    rank: int


def meeting_suggestions(
    user: Any, me: Registration, others: list[Registration], *, k: int = 5
) -> list[MeetingSuggestion]:
    if not others:
        return []
    brings: dict[tuple[str, int], Registration] = {}
    for reg in others:
        if reg.pk == me.pk:
            continue
        for need in reg.needs.all():
            brings.setdefault(("needs", need.pk), reg)
        for ach in reg.achievements.all():
            brings.setdefault(("achievements", ach.pk), reg)
    queries = [(n, "achievements") for n in me.needs.all()] + [(a, "needs") for a in me.achievements.all()]
    best: dict[int, MeetingSuggestion] = {}
    for item, target in queries:
        try:
            found = suggestions_for(user, item, target=target, k=50)
        except (OSError, LookupError, ValueError):  # no index built yet: suggestions are a help, not a must
            logger.warning("events: matching unavailable for %s", item, exc_info=True)
            continue
        for s in found.items:
            other = brings.get((target, s.obj.pk))
            if other is not None and (other.pk not in best or s.rank < best[other.pk].rank):
                best[other.pk] = MeetingSuggestion(other, item, s.obj, s.rank)
    return sorted(best.values(), key=lambda s: (s.rank, s.registration.pk))[:k]


@dataclass
class InvitationSuggestion:
    organization: Any
    theirs: Any  # the organisation's matching item
    brought: Any  # the participant's item it matches
    participant: Registration
    rank: int

    @property
    def reason(self) -> str:
        return _("贵单位的“%(theirs)s”与参会方%(who)s携带的“%(brought)s”相匹配。") % {
            "theirs": self.theirs.title,
            "who": self.participant.display_name,
            "brought": self.brought.title,
        }


def invitation_suggestions(
    user: Any, participants: list[Registration], *, exclude: set[int], k: int = 10
) -> list[InvitationSuggestion]:
    """Organisations worth inviting: owners of items that match what the registered participants bring,
    not yet registered (``exclude``: organisation ids). Seen as ``user`` (the organiser) sees the items."""
    best: dict[int, InvitationSuggestion] = {}
    for reg in participants:
        queries = [(n, "achievements") for n in reg.needs.all()] + [
            (a, "needs") for a in reg.achievements.all()
        ]
        for item, target in queries:
            try:
                found = suggestions_for(user, item, target=target, k=20)
            except (OSError, LookupError, ValueError):
                logger.warning("events: matching unavailable for %s", item, exc_info=True)
                continue
            for s in found.items:
                owner_id = getattr(s.obj, "owner_id", None)
                if owner_id is None or owner_id in exclude:
                    continue
                if owner_id not in best or s.rank < best[owner_id].rank:
                    owner = getattr(s.obj, "owner")  # noqa: B009 - needs and achievements have an owner
                    best[owner_id] = InvitationSuggestion(owner, s.obj, item, reg, s.rank)
    return sorted(best.values(), key=lambda s: (s.rank, s.organization.pk))[:k]


@dataclass
class PairSuggestion:
    """Two participants the organiser might put together: ``first``'s item matches what ``second`` brings."""

    first: Registration
    second: Registration
    mine: Any  # first's item
    theirs: Any  # second's matching item
    rank: int

    @property
    def reason(self) -> str:
        return _("%(a)s 携带的“%(x)s”与 %(b)s 携带的“%(y)s”相匹配。") % {
            "a": self.first.display_name,
            "x": self.mine.title,
            "b": self.second.display_name,
            "y": self.theirs.title,
        }


def pair_suggestions(
    user: Any, participants: list[Registration], *, exclude_pairs: set[frozenset[int]], k: int = 10
) -> list[PairSuggestion]:
    """The best pairs among the participants (seen as ``user``, the organiser, sees the items), each pair once,
    leaving out pairs in ``exclude_pairs`` (registration ids of pairs that already have a meeting)."""
    best: dict[frozenset[int], PairSuggestion] = {}
    for reg in participants:
        for s in meeting_suggestions(user, reg, participants, k=len(participants)):
            key = frozenset((reg.pk, s.registration.pk))
            if key in exclude_pairs:
                continue
            if key not in best or s.rank < best[key].rank:
                best[key] = PairSuggestion(reg, s.registration, s.mine, s.theirs, s.rank)
    return sorted(best.values(), key=lambda p: (p.rank, sorted((p.first.pk, p.second.pk))))[:k]
