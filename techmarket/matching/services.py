"""Writes of matching: keeping the index fresh, re-matching published items, feedback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.accounts.models import User
from techmarket.audit.services import audit_record
from techmarket.catalog import registry
from techmarket.catalog.visibility import is_owner_member
from techmarket.notifications.models import Notification
from techmarket.notifications.services import notify_users
from techmarket.orgs.models import Organization, Role
from techmatch import Analyzer, Engine

from . import engine as handle
from .documents import (
    doc_id,
    indexable_queryset,
    is_indexable,
    kind_of,
    kinds,
    parse_doc_id,
    to_document,
    type_for_kind,
)
from .models import Decision, MatchFeedback
from .selectors import build_filters, engine_search, visible_queryset

logger = logging.getLogger(__name__)

NOTIFY_KEY_PREFIX = "match:"
REMATCH_DEPTH = 20  # candidates considered when a new item is offered to the other side


# --- index ------------------------------------------------------------------------------------------


def index_item(*, label: str, pk: int) -> str:
    """Add or update the item's document, or delete it when it is no longer listed. Returns what happened."""
    ctype = registry.for_model(label)
    if ctype is None or ctype.matching is None:
        return "absent"
    item = ctype.system_queryset().filter(pk=pk).first()
    did = f"{ctype.matching.kind}:{pk}"
    if item is not None and is_indexable(item):
        doc = to_document(item)
        stamp = item.updated_at.isoformat()

        def add(replica: handle.Snapshot) -> str:
            replica.add(doc, tag=stamp)
            return "indexed"

        return str(handle.write(add))
    if did not in handle.get_engine().docs:
        return "absent"

    def delete(replica: handle.Snapshot) -> str:
        replica.delete(did)
        return "deleted"

    return str(handle.write(delete))


def domain_terms() -> set[str]:
    """The operators' dictionary (admin: 匹配推荐 › 领域词典), normalised as the analyser expects."""
    from .models import DomainTerm

    return {t.strip() for t in DomainTerm.objects.values_list("term", flat=True) if t.strip()}


def rebuild_index(progress: Callable[[int, int], None] | None = None, encoder: Any = None) -> dict[str, Any]:
    """Index every listed item from scratch, with ``encoder`` (a new static encoder) or the one the index
    has. The current index serves until the new one is published."""
    encoder = encoder if encoder is not None else handle.get_engine().encoder
    fresh = Engine(analyzer=Analyzer(domain_terms()), encoder=encoder)
    counts: dict[str, int] = {}

    def fill(engine: Engine, tags: dict[str, str]) -> None:
        total = sum(indexable_queryset(k).count() for k in kinds())
        done = 0
        batch: list[Any] = []

        def flush() -> None:
            nonlocal done
            engine.add_many([d for _i, d in batch], merge=False)
            done += len(batch)
            batch.clear()
            if progress:
                progress(done, total)

        for name in kinds():
            for item in indexable_queryset(name).order_by("pk").iterator(chunk_size=500):
                doc = to_document(item)
                tags[doc.id] = item.updated_at.isoformat()
                counts[name] = counts.get(name, 0) + 1
                batch.append((item, doc))
                if len(batch) >= 500:
                    flush()
        flush()
        engine.fit_term_weights()  # query-term specificity from the catalogue's own fields

    handle.replace(fill, fresh)
    return {"documents": sum(counts.values()), "kinds": counts, "generation": handle.current_generation()}


def index_health() -> dict[str, Any]:
    """Size, age and lag: listed items missing from the index or changed after they were indexed."""
    snap = handle.get_snapshot()
    info = handle.status()
    lag: dict[str, dict[str, int]] = {}
    for name in kinds():
        missing = stale = 0
        listed = set()
        for pk, updated in indexable_queryset(name).values_list("pk", "updated_at"):
            did = f"{name}:{pk}"
            listed.add(did)
            stamp = snap.tags.get(did)
            if stamp is None or did not in snap.engine.docs:
                missing += 1
            elif datetime.fromisoformat(stamp) < updated:
                stale += 1
        orphans = sum(1 for d in snap.engine.docs.values() if d.kind == name and d.id not in listed)
        lag[name] = {"listed": len(listed), "missing": missing, "stale": stale, "orphans": orphans}
    info["lag"] = lag
    info["lagging"] = sum(v["missing"] + v["stale"] + v["orphans"] for v in lag.values())
    written_at = snap.head.written_at
    info["written_at_dt"] = datetime.fromisoformat(written_at) if written_at else None
    return info


def index_reconcile(*, limit: int = 5000) -> dict[str, int]:
    """Heal the index by itself (periodic): compare each listed item's updated_at with the version the
    index holds and re-index what is missing or stale; drop documents of items no longer listed. Catches
    up on follow-up work lost before the outbox existed or skipped by bulk updates."""
    snap = handle.get_snapshot()
    todo: list[tuple[str, int]] = []
    for name in kinds():
        label = type_for_kind(name).label_lower
        listed = set()
        for pk, updated in indexable_queryset(name).values_list("pk", "updated_at"):
            did = f"{name}:{pk}"
            listed.add(did)
            stamp = snap.tags.get(did)
            if stamp is None or did not in snap.engine.docs or datetime.fromisoformat(stamp) < updated:
                todo.append((label, pk))
        for d in list(snap.engine.docs.values()):
            if d.kind == name and d.id not in listed:
                parsed = parse_doc_id(d.id)
                if parsed is not None:
                    todo.append((label, parsed[1]))
    counts: dict[str, int] = {"checked_lagging": len(todo)}
    for label, pk in todo[:limit]:
        outcome = index_item(label=label, pk=pk)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# --- re-matching and notifications -------------------------------------------------------------------


def detail_url(item: Model) -> str:
    ctype = registry.for_model(item)
    return ctype.detail_url(item) if ctype else ""


def members_of(organization_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__is_active=True,
            memberships__organization__status=Organization.Status.APPROVED,
        ).distinct()
    )


def brokers() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.BROKER,
            memberships__is_active=True,
            memberships__organization__status=Organization.Status.APPROVED,
        ).distinct()
    )


def _day_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def notifications_left_today(user: Any) -> int:
    limit = int(getattr(settings, "MATCH_NOTIFY_PER_USER_PER_DAY", 5))
    sent = Notification.objects.filter(
        user=user, item_key__startswith=NOTIFY_KEY_PREFIX, created_at__gte=_day_start()
    ).count()
    return max(0, limit - sent)


def can_see(user: Any, item: Model) -> bool:
    return visible_queryset(user, kind_of(item)).filter(pk=item.pk).exists()


def matches_for(item: Model, kind: str) -> list[Model]:
    """Relevant listed items of ``kind`` for ``item`` (not yet filtered per recipient); none when no
    registered type has that kind."""
    if registry.for_kind(kind) is None:
        return []
    results, _nothing = engine_search(to_document(item), kind, k=REMATCH_DEPTH, filters=build_filters(kind))
    pks = [int(r.id.split(":")[1]) for r in results]
    objs = indexable_queryset(kind).in_bulk(pks)
    return [objs[pk] for pk in pks if pk in objs]


def notify_match(user: Any, *, item: Model, title: str, body: str) -> bool:
    """One match notification about ``item`` per user (item_key), within the user's daily limit."""
    if notifications_left_today(user) <= 0:
        return False
    label = f"{item._meta.app_label}.{item._meta.model_name}"
    return (
        notify_users(
            users=[user],
            title=title,
            body=body,
            url=detail_url(item),
            item_key=f"{NOTIFY_KEY_PREFIX}{label}:{item.pk}",
            email=True,
        )
        > 0
    )


def rematch_published(*, label: str, pk: int) -> dict[str, int]:
    """Re-match a newly published item and tell the people it concerns, as its type declares
    (MatchingSpec.on_published, e.g. needs.matching.rematch_need). Nobody hears about an item they may
    not see: the declared handlers check can_see for every recipient."""
    ctype = registry.for_model(label)
    spec = ctype.matching if ctype else None
    if ctype is None or spec is None or spec.on_published is None:
        return {"matches": 0, "notified": 0}
    item = ctype.system_queryset().filter(pk=pk).first()
    if item is None or not is_indexable(item):
        return {"matches": 0, "notified": 0}
    outcome = spec.on_published(item)
    with transaction.atomic():
        audit_record(actor=None, action="matching.rematch", target=item, after=outcome)
    return outcome


def indexed_labels() -> frozenset[str]:
    return frozenset(t.label_lower for t in registry.matchable())


def rematched_labels() -> frozenset[str]:
    return frozenset(t.label_lower for t in registry.matchable() if t.matching and t.matching.on_published)


# --- feedback ------------------------------------------------------------------------------------------


def _can_decide(user: Any, source: Model) -> bool:
    if roles.is_broker_or_operator(user):
        return True
    return hasattr(source, "owner_id") and is_owner_member(user, source)


def feedback_record(
    *,
    acting_user: Any,
    source: Model,
    target: Model,
    decision: str,
    reason: str = "",
    score: float | None = None,
    rank: int | None = None,
) -> MatchFeedback:
    """Store a decision about a suggestion; ``recommend`` also tells the need's organisation."""
    if decision not in Decision.values:
        raise ValidationError(
            {"decision": _("未知的决定“%(d)s”，应为 accept、reject 或 recommend。") % {"d": decision}}
        )
    if not getattr(acting_user, "is_authenticated", False) or not _can_decide(acting_user, source):
        raise PermissionDenied(_("只有经纪人、平台运营或条目所属机构的成员可以处理匹配推荐。"))
    if decision == Decision.RECOMMEND and not roles.is_broker_or_operator(acting_user):
        raise PermissionDenied(_("只有经纪人和平台运营可以向企业推荐。"))
    if not (can_see(acting_user, source) and can_see(acting_user, target)):
        raise PermissionDenied(_("您无权查看该条目。"))
    reason = (reason or "").strip()[:500]
    if decision == Decision.REJECT and not reason:
        raise ValidationError(
            {"reason": _("标记为不相关时请填写原因，例如“技术路线不同”，它会用于改进匹配。")}
        )
    need = next((x for x in (source, target) if _receives_recommendations(x)), None)
    if decision == Decision.RECOMMEND and need is None:
        raise ValidationError({"decision": _("推荐给企业需要其中一方是技术需求。")})
    with transaction.atomic():
        feedback = MatchFeedback.objects.create(
            user=acting_user,
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            decision=decision,
            reason=reason,
            score=score,
            rank=rank,
        )
        audit_record(
            actor=acting_user,
            action=f"matching.matchfeedback.{decision}",
            target=feedback,
            after={
                "source": doc_id(source),
                "target": doc_id(target),
                "decision": decision,
                "reason": reason,
                "score": score,
                "rank": rank,
            },
        )
        if decision == Decision.RECOMMEND and need is not None:
            other = target if need is source else source
            for listener in RECOMMENDATION_LISTENERS:
                listener(feedback=feedback, need=need, other=other, broker=acting_user)
            transaction.on_commit(lambda: _recommend(need, other, acting_user, feedback.pk))
    return feedback


# Called inside the recommendation's transaction as listener(feedback=, need=, other=, broker=); apps that
# follow recommendations up (engagements: the two sides' answers) append theirs in AppConfig.ready.
RECOMMENDATION_LISTENERS: list[Callable[..., None]] = []


def _receives_recommendations(item: Model) -> bool:
    ctype = registry.for_model(item)
    return bool(ctype and ctype.matching and ctype.matching.receives_recommendations)


def _recommend(need: Any, other: Model, broker: Any, feedback_pk: int) -> int:
    users = [u for u in members_of(need.owner_id) if can_see(u, other)]
    title = _("经纪人向您推荐：%(title)s") % {"title": str(getattr(other, "title", "") or other)}
    body = _("针对需求“%(need)s”，%(broker)s 推荐了该%(kind)s，请查看详情并决定是否对接。") % {
        "need": need.title,
        "broker": getattr(broker, "display_name", "") or broker.get_username(),
        "kind": other._meta.verbose_name,
    }
    return notify_users(
        users=users,
        title=title,
        body=body,
        url=detail_url(other),
        item_key=f"recommend:{feedback_pk}",
        email=True,
    )
