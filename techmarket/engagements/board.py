"""What the board, the timeline and the caseload pages show (reads only)."""

from datetime import datetime, time
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles

from .models import OPEN_STAGES, Activity, Assignment, Engagement, Stage, StageEntry


def columns(qs: QuerySet[Engagement]) -> list[dict[str, Any]]:
    """One column per stage (closed ones last), overdue cards first, then the nearest deadline. Two queries."""
    now = timezone.now()
    cards = list(
        qs.annotate(n_activities=Count("activities", distinct=True)).order_by("due_at", "-updated_at")
    )
    by_stage: dict[str, list[Engagement]] = {s: [] for s in Stage.values}
    for e in cards:
        e.is_overdue = bool(e.due_at and e.due_at < now and e.is_open)  # type: ignore[attr-defined]
        by_stage[e.stage].append(e)
    for stage_cards in by_stage.values():
        stage_cards.sort(key=lambda e: (not e.is_overdue, e.due_at is None, e.due_at or now))  # type: ignore[attr-defined]
    return [
        {"stage": s, "label": Stage(s).label, "cards": by_stage[s], "closed": s not in OPEN_STAGES}
        for s in Stage.values
    ]


def broker_choices() -> list[Any]:
    from django.contrib.auth import get_user_model

    from techmarket.orgs.models import Role

    return list(
        get_user_model()
        .objects.filter(memberships__role=Role.BROKER, memberships__is_active=True, is_active=True)
        .distinct()
        .order_by("pk")
    )


def timeline(engagement: Engagement) -> list[dict[str, Any]]:
    """Stage entries and activities, newest first."""
    rows: list[dict[str, Any]] = []
    for entry in StageEntry.objects.filter(engagement=engagement).select_related("entered_by"):
        rows.append({"at": entry.entered_at, "kind": "stage", "entry": entry})
    for activity in Activity.objects.filter(engagement=engagement).select_related("created_by"):
        at = timezone.make_aware(datetime.combine(activity.happened_on, time(12, 0)))
        rows.append({"at": at, "kind": "activity", "activity": activity})
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows


def caseload_context(user: Any) -> dict[str, Any]:
    from techmarket.needs.selectors import need_list_visible_to

    from .services import broker_covers

    now = timezone.now()
    mine = list(
        Assignment.objects.filter(broker=user).select_related("need", "need__owner").order_by("-assigned_at")
    )
    need_ids = [a.need_id for a in mine]
    open_engagements = dict(
        Engagement.objects.unscoped()
        .filter(need_id__in=need_ids, stage__in=OPEN_STAGES)
        .values_list("need_id")
        .annotate(n=Count("pk"))
        .values_list("need_id", "n")
    )
    overdue_needs = set(
        Engagement.objects.unscoped()
        .filter(need_id__in=need_ids, stage__in=OPEN_STAGES, due_at__lt=now)
        .values_list("need_id", flat=True)
    )
    from .models import RecommendationAnswer

    waiting = set(
        RecommendationAnswer.objects.unscoped()
        .filter(need_id__in=need_ids, status="rejected")
        .values_list("need_id", flat=True)
    )
    rows = []
    for a in mine:
        rows.append(
            {
                "assignment": a,
                "need": a.need,
                "is_new": a.seen_at is None,
                "engagements": open_engagements.get(a.need_id, 0),
                "overdue": a.need_id in overdue_needs,
                "waiting": a.need_id not in open_engagements or a.need_id in waiting,
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], not r["is_new"], not r["waiting"]))
    Assignment.objects.filter(broker=user, seen_at__isnull=True).update(seen_at=now)
    unassigned = need_list_visible_to(user, status="published").filter(assignment__isnull=True)
    is_operator = roles.is_operator(user)
    claimable = [n for n in unassigned[:200] if is_operator or broker_covers(user, n)][:30]
    return {
        "rows": rows,
        "claimable": claimable,
        "is_operator": is_operator,
        "brokers": broker_choices() if is_operator else [],
        "counts": {
            "new": sum(r["is_new"] for r in rows),
            "waiting": sum(r["waiting"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows),
        },
        "has_fields": hasattr(user, "broker_fields") or is_operator,
        "title": _("我的案源"),
    }


def group_recommendations(user: Any, answers: Any) -> list[dict[str, Any]]:
    """Answers grouped per recommendation (both sides together), pending ones first."""
    from .request_types import may_answer

    groups: dict[int, dict[str, Any]] = {}
    for a in answers:
        g = groups.get(a.recommendation_id)
        if g is None:
            other = a.achievement or a.expert
            score = a.recommendation.score
            g = groups[a.recommendation_id] = {
                "need": a.need,
                "other_title": getattr(other, "title", None) or getattr(other, "name", ""),
                "note": a.note,
                "broker": a.broker,
                "created_at": a.created_at,
                "explanation": _("匹配得分 %(s).2f") % {"s": score} if score is not None else "",
                "answers": [],
                "engagement": None,
                "pending": False,
            }
        g["answers"].append(a)
        g["engagement"] = g["engagement"] or a.engagement
        g["pending"] = g["pending"] or (a.status == "pending" and may_answer(user, a))
    rows = list(groups.values())
    for g in rows:
        g["answers"].sort(key=lambda a: a.side)
    rows.sort(key=lambda g: (not g["pending"], -g["created_at"].timestamp()))
    return rows


def answerable_ids(user: Any, answers: Any) -> set[int]:
    from .request_types import may_answer

    return {a.pk for a in answers if a.status == "pending" and may_answer(user, a)}


def provider_choices() -> list[Any]:
    """Organisations that may serve an engagement: service agencies, investors, institutes (approved)."""
    from techmarket.orgs.models import Organization

    K = Organization.Kind
    kinds = [K.SERVICE, K.INVESTOR, K.INSTITUTE, K.UNIVERSITY, K.INDUSTRY_INSTITUTE, K.NEW_RD]
    return list(
        Organization.objects.filter(status=Organization.Status.APPROVED, kind__in=kinds)
        .exclude(is_platform_operator=True)
        .order_by("kind", "name")[:300]
    )
