"""Pre-aggregated figures: each indicator's value per month × region × chain node (and × industry division),
so that the dashboards read a narrow table instead of joining and counting every need, contract and
organisation of five years of a province.

Kept correct on every write: every write service leaves an audit record inside its transaction, and the
audit app calls ``mark_stale`` there with the record's target. The indicators whose rows may have changed
(the target's model is the indicator's model, lies on one of its paths — a need's chain node for the
engagements — or belongs to the same app, e.g. a contract's parties) get a ``FactDirty`` row that commits or
rolls back with the write. Before answering, a reader rebuilds the stale indicators and deletes the dirty
rows it has seen; a write committed meanwhile leaves its own row for the next reader.

Incremental: when the written rows are the indicator's own (a contract for the contract figures), the dirty
row names the row and only some months are rebuilt: those the written rows lie in now, and those whose whole
figure (one grouped query by month, compared with the roll-up) no longer matches the facts — where a row was
before it moved to another month or stopped counting. A write elsewhere (an organisation, a chain node) still
rebuilds the whole indicator.

Two narrower forms are kept beside the rows (rebuilt with them): ``FactTotal``, the whole figures rolled up
per month × area (every prefix level of the region code) × chain, which the headlines, monthly series and
region / chain breakdowns read with equalities only; and fact rows per value of each of the indicator's own
breakdowns (``breakdown`` / ``bucket``: a contract's type, its buyer's and seller's kind).

Within one request every indicator is brought up to date once (``ensure`` remembers it until the request
ends or this thread writes again), and whether an indicator is factable is worked out once per indicator.

Indicators that cannot be summed from such rows stay live: distinct counts (enterprises with needs — one
enterprise is one in a year and one in each of its months) and paths that fan out (a reverse relation on a
region path). Tests compare both ways on the same data (``live()``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from . import indicators
from .indicators import Indicator
from .models import Fact, FactDirty, FactState, FactTotal
from .periods import tz

_LIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("analytics_live", default=False)
# The indicators already brought up to date in this request (None outside a request: always check).
_ENSURED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("analytics_ensured", default=None)
BATCH = 5000
CENT = Decimal("0.01")
LEVELS = (
    0,
    2,
    4,
    6,
)  # FactTotal.level: the region-code prefixes a filter can name (all, province, city, county)


def request_started(**_kwargs: Any) -> None:
    _ENSURED.set(set())


def request_finished(**_kwargs: Any) -> None:
    _ENSURED.set(None)


@contextlib.contextmanager
def live() -> Iterator[None]:
    """Compute from the live rows inside this block (the reference the facts are checked against)."""
    token = _LIVE.set(True)
    try:
        yield
    finally:
        _LIVE.reset(token)


def enabled() -> bool:
    return bool(getattr(settings, "ANALYTICS_FACTS", True)) and not _LIVE.get()


def _walk(model: type[models.Model], path: str) -> tuple[list[type[models.Model]], bool] | None:
    """The models a path passes through and whether it can fan out (a reverse or many-to-many step);
    None when the path is not a model field (an annotation such as a contract's buyer region)."""
    current: Any = model
    seen: list[type[models.Model]] = []
    fans = False
    for part in path.split("__"):
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            if part in ("id", "pk") or part.endswith("_id"):
                continue
            return None
        if found.is_relation and found.related_model is not None:
            fans = fans or bool(found.many_to_many or found.one_to_many)
            current = found.related_model
            seen.append(current)
    return seen, fans


_FACTABLE: dict[int, tuple[Indicator, bool]] = {}


def factable(indicator: Indicator) -> bool:
    """Whether the indicator's value is a sum over fact rows (see the module docstring); worked out once per
    indicator (asked for every figure of every page)."""
    known = _FACTABLE.get(id(indicator))
    if known is not None and known[0] is indicator:
        return known[1]
    answer = _factable(indicator)
    _FACTABLE[id(indicator)] = (indicator, answer)
    return answer


def _factable(indicator: Indicator) -> bool:
    if indicator.distinct_of:
        return False
    model = indicator.queryset().model
    for path in (
        indicator.date_field,
        indicator.region_field,
        indicator.chain_node_field,
        indicator.sum_field,
    ):
        if not path:
            continue
        walked = _walk(model, path)
        if walked is not None and walked[1]:
            return False
    return True


def depends_on(indicator: Indicator) -> set[type[models.Model]]:
    model = indicator.queryset().model
    found: set[type[models.Model]] = {model}
    paths = (
        indicator.date_field,
        indicator.region_field,
        indicator.industry_field,
        indicator.chain_node_field,
        indicator.sum_field,
    )
    for path in paths:
        walked = _walk(model, path) if path else None
        if walked is not None:
            found.update(walked[0])
    return found


def affected_by(model: type[models.Model]) -> list[str]:
    """Keys of the factable indicators a write to ``model`` may change (asked on every audited write, so the
    answer is kept per model until the indicator registry changes)."""
    return list(_affected_by(model, indicators.version()))


@functools.lru_cache(maxsize=1024)
def _affected_by(model: type[models.Model], _version: int) -> tuple[str, ...]:
    label = model._meta.app_label
    concrete = model._meta.concrete_model or model
    out = []
    for ind in indicators.all_indicators():
        if not factable(ind):
            continue
        if concrete in depends_on(ind) or ind.queryset().model._meta.app_label == label:
            out.append(ind.key)
    return tuple(out)


@functools.lru_cache(maxsize=1024)
def _own_rows(model: type[models.Model], _version: int) -> frozenset[str]:
    """Keys of the factable indicators whose rows are ``model``'s own (a write to one of them is located by
    its months; a write elsewhere on a path may move any month)."""
    concrete = model._meta.concrete_model or model
    return frozenset(
        ind.key
        for ind in indicators.all_indicators()
        if factable(ind) and (ind.queryset().model._meta.concrete_model or ind.queryset().model) is concrete
    )


def mark_stale(target: models.Model | None) -> None:
    """The audit listener: runs inside the write's transaction. A row of the indicator's own model is
    remembered by its id (its months are rebuilt); any other write marks the whole indicator."""
    if target is None or isinstance(target, (Fact, FactDirty, FactState, FactTotal)):
        return
    meta = getattr(target, "_meta", None)  # through a lazy wrapper too (request.user)
    if meta is None:
        return
    keys = affected_by(meta.model)
    if keys:
        own = _own_rows(meta.model, indicators.version())
        pk = target.pk if isinstance(target.pk, int) else None
        FactDirty.objects.bulk_create(
            [FactDirty(indicator=key, object_id=pk if key in own else None) for key in keys]
        )
        ensured = _ENSURED.get()
        if ensured is not None:
            ensured.clear()  # this request wrote: its next read checks again


def _date_only(indicator: Indicator, qs: QuerySet[Any]) -> bool:
    found = _date_field(indicator, qs)
    return isinstance(found, models.DateField) and not isinstance(found, models.DateTimeField)


def _trunc(indicator: Indicator, qs: QuerySet[Any]) -> TruncMonth:
    if _date_only(indicator, qs):
        return TruncMonth(indicator.date_field)
    return TruncMonth(indicator.date_field, tzinfo=tz())


def _in_months(indicator: Indicator, qs: QuerySet[Any], months: Iterable[datetime.date]) -> QuerySet[Any]:
    """The rows dated within these months (first days; Asia/Shanghai months for a moment)."""
    date_only = _date_only(indicator, qs)
    field = indicator.date_field
    q = Q()
    for month in sorted(months):
        end = (month + datetime.timedelta(days=32)).replace(day=1)
        if date_only:
            q |= Q(**{f"{field}__gte": month, f"{field}__lt": end})
        else:
            start_at = datetime.datetime.combine(month, datetime.time(), tz())
            end_at = datetime.datetime.combine(end, datetime.time(), tz())
            q |= Q(**{f"{field}__gte": start_at, f"{field}__lt": end_at})
    return qs.filter(q) if q else qs.none()


def _rows(
    indicator: Indicator,
    *,
    by_industry: bool = False,
    by_path: str = "",
    months: Iterable[datetime.date] | None = None,
) -> QuerySet[Any]:
    qs = indicator.queryset().filter(**{f"{indicator.date_field}__isnull": False})
    if months is not None:
        qs = _in_months(indicator, qs, months)
    trunc = _trunc(indicator, qs)
    node = indicator.chain_node_field
    annotations: dict[str, Any] = {
        "_m": trunc,
        "_r": F(indicator.region_field) if indicator.region_field else models.Value(""),
        "_n": F(f"{node}__id") if node else models.Value(None, output_field=models.IntegerField()),
        "_c": F(f"{node}__chain_id") if node else models.Value(None, output_field=models.IntegerField()),
        "_s": Coalesce(f"{node}__parent_id", f"{node}__id")
        if node
        else models.Value(None, output_field=models.IntegerField()),
    }
    keys = ["_m", "_r", "_n", "_c", "_s"]
    if by_industry:
        annotations["_i"] = Substr(indicator.industry_field, 1, 2)
        keys.append("_i")
    if by_path:
        annotations["_b"] = F(by_path)
        keys.append("_b")
    return qs.annotate(**annotations).values(*keys).annotate(v=indicator.aggregate()).order_by()


def _date_field(indicator: Indicator, qs: QuerySet[Any]) -> Any:
    from .compute import _field_at

    return _field_at(qs.model, indicator.date_field)


def _fact(indicator: Indicator, row: dict[str, Any], **detail: Any) -> Fact:
    """One fact from a grouped row (month, region, chain, node, segment keys), with its extra key if any."""
    return Fact(
        indicator=indicator.key,
        month=_first_day(row["_m"]),
        region=row["_r"] or "",
        chain_id=row["_c"],
        chain_node_id=row["_n"],
        segment_id=row["_s"],
        value=row["v"] or 0,
        **detail,
    )


def _facts_of(indicator: Indicator, months: Iterable[datetime.date] | None = None) -> Iterable[Fact]:
    """The indicator's facts, of every month or of these months only."""
    months = None if months is None else list(months)
    for row in _rows(indicator, by_industry=False, months=months):
        if row["_m"] is not None:
            yield _fact(indicator, row)
    if not indicator.industry_field:
        return
    for row in _rows(indicator, by_industry=True, months=months):
        if row["_m"] is not None and row["_i"]:
            yield _fact(indicator, row, industry=row["_i"])
    for breakdown in indicator.breakdowns:
        for row in _rows(indicator, by_path=breakdown.path, months=months):
            if row["_m"] is not None:
                # bucket keyed as compute.by_breakdown keys the live rows
                yield _fact(indicator, row, breakdown=breakdown.key, bucket=str(row["_b"] or ""))


def _first_day(moment: Any) -> Any:
    if hasattr(moment, "hour"):
        moment = timezone.localtime(moment, tz()) if timezone.is_aware(moment) else moment
        moment = moment.date()
    return moment.replace(day=1)


def _roll_up(fact: Fact, into: dict[tuple[int, str, int, Any], Any]) -> None:
    """Add a whole-figure fact to the FactTotal sums: every region prefix level, all chains and its own."""
    chains = (0,) if fact.chain_id is None else (0, fact.chain_id)
    for level in LEVELS:
        if level and not fact.region:
            continue
        area = fact.region[:level]
        for chain in chains:
            key = (level, area, chain, fact.month)
            into[key] = into.get(key, 0) + fact.value


def rebuild(indicator: Indicator, months: Iterable[datetime.date] | None = None) -> int:
    """Replace the indicator's facts (and their roll-up) with fresh ones, of every month or — an incremental
    refresh — of these months only (serialised per indicator by a row lock). Returns the rows written."""
    FactState.objects.get_or_create(indicator=indicator.key)
    months = None if months is None else sorted(set(months))
    with transaction.atomic():
        state = FactState.objects.select_for_update().get(indicator=indicator.key)
        old = Fact.objects.filter(indicator=indicator.key)
        old_totals = FactTotal.objects.filter(indicator=indicator.key)
        if months is not None:
            old, old_totals = old.filter(month__in=months), old_totals.filter(month__in=months)
        removed = old.delete()[0]
        old_totals.delete()
        count = 0
        batch: list[Fact] = []
        totals: dict[tuple[int, str, int, Any], Any] = {}
        for fact in _facts_of(indicator, months):
            if not fact.industry and not fact.breakdown:
                _roll_up(fact, totals)
            batch.append(fact)
            if len(batch) >= BATCH:
                Fact.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Fact.objects.bulk_create(batch)
        count += len(batch)
        rolled = [
            FactTotal(
                indicator=indicator.key, level=level, area=area, chain_id=chain, month=month, value=value
            )
            for (level, area, chain, month), value in totals.items()
        ]
        for i in range(0, len(rolled), BATCH):
            FactTotal.objects.bulk_create(rolled[i : i + BATCH])
        state.built_at = timezone.now()
        state.rows = count if months is None else max(0, state.rows - removed + count)
        state.save(update_fields=["built_at", "rows"])
    return count


def _months_of(indicator: Indicator, ids: Iterable[int]) -> set[datetime.date]:
    """The months the indicator's rows with these ids lie in now."""
    qs = indicator.queryset().filter(pk__in=list(ids), **{f"{indicator.date_field}__isnull": False})
    moments = qs.annotate(_m=_trunc(indicator, qs)).values_list("_m", flat=True).order_by().distinct()
    return {_first_day(m) for m in moments if m is not None}


def _moved_months(indicator: Indicator) -> set[datetime.date]:
    """The months whose whole figure is no longer what the facts hold (one grouped query by month): where a
    written row was before the write (it moved to another month or stopped counting)."""
    qs = indicator.queryset().filter(**{f"{indicator.date_field}__isnull": False})
    live: dict[datetime.date, Decimal] = {}
    for row in (
        qs.annotate(_m=_trunc(indicator, qs)).values("_m").annotate(v=indicator.aggregate()).order_by()
    ):
        if row["_m"] is not None:
            month = _first_day(row["_m"])
            live[month] = live.get(month, Decimal(0)) + Decimal(row["v"] or 0)
    held = dict(
        FactTotal.objects.filter(indicator=indicator.key, level=0, chain_id=0).values_list("month", "value")
    )
    return {
        month
        for month in set(live) | set(held)
        if Decimal(live.get(month, 0)).quantize(CENT) != Decimal(held.get(month, 0)).quantize(CENT)
    }


def refresh(indicator: Indicator, object_ids: Iterable[int | None]) -> int:
    """Bring the indicator up to date after the writes recorded as dirty rows (``object_ids``, None for a
    write that is not one of its own rows): the whole indicator if any write was elsewhere, else only the
    months the written rows lie in now and the months whose whole figure moved (where they were before)."""
    ids = list(object_ids)
    if not ids or any(pk is None for pk in ids):
        return rebuild(indicator)
    months = _months_of(indicator, {pk for pk in ids if pk is not None}) | _moved_months(indicator)
    if not months:
        FactState.objects.filter(indicator=indicator.key).update(built_at=timezone.now())
        return 0
    return rebuild(indicator, months)


REFRESH_KEY = "analytics:facts-refresh-queued"


def background() -> bool:
    """Whether stale indicators are rebuilt by a worker while readers keep reading the last facts
    (``ANALYTICS_FACTS_BACKGROUND``: on where Celery has a broker). Inline, the reader rebuilds them first."""
    return bool(getattr(settings, "ANALYTICS_FACTS_BACKGROUND", False))


def ensure(members: Iterable[Indicator]) -> None:
    """Build the indicators never built (once, by the first reader) and bring the stale ones up to date:
    inline before answering, or — in the background mode — by one queued task, the reader answering from the
    last facts meanwhile (``as_of`` says from when)."""
    by_key = {ind.key: ind for ind in members}
    wanted = set(by_key)
    ensured = _ENSURED.get()
    if ensured is not None:
        wanted -= ensured
    if not wanted:
        return
    _ensure(by_key, wanted)
    ensured = _ENSURED.get()  # a rebuild's own writes leave the set alone; still this request's
    if ensured is not None:
        ensured.update(wanted)


def _ensure(by_key: dict[str, Indicator], wanted: set[str]) -> None:
    built = set(
        FactState.objects.filter(indicator__in=wanted, built_at__isnull=False).values_list(
            "indicator", flat=True
        )
    )
    never = wanted - built
    # Read before the first builds: the writes these rows record committed before the builds read anything,
    # so a first build covers its own (their rows go); rows written meanwhile stay for the next reader.
    dirty = list(FactDirty.objects.filter(indicator__in=wanted).values_list("pk", "indicator", "object_id"))
    for key in sorted(never):
        rebuild(by_key[key])
    covered = [pk for pk, key, _id in dirty if key in never]
    if covered:
        FactDirty.objects.filter(pk__in=covered).delete()
        dirty = [row for row in dirty if row[1] not in never]
    if not dirty:
        return
    if background():
        schedule_refresh()
        return
    _refresh_dirty(by_key, dirty)


def _refresh_dirty(by_key: dict[str, Indicator], dirty: list[tuple[int, str, int | None]]) -> dict[str, int]:
    """Refresh the indicators of these dirty rows (pk, indicator, object id) and delete the rows."""
    written: dict[str, list[int | None]] = {}
    for _pk, key, object_id in dirty:
        written.setdefault(key, []).append(object_id)
    out = {key: refresh(by_key[key], ids) for key, ids in sorted(written.items()) if key in by_key}
    FactDirty.objects.filter(pk__in=[pk for pk, _key, _id in dirty]).delete()
    return out


def schedule_refresh() -> bool:
    """Queue one refresh task unless one is already queued (a cache key with a timeout, so a lost task holds
    nothing up for long). True when a task was queued."""
    from django.core.cache import cache

    from .tasks import refresh_facts

    if not cache.add(REFRESH_KEY, 1, timeout=600):
        return False
    transaction.on_commit(refresh_facts.delay)
    return True


def refresh_stale() -> dict[str, int]:
    """Rebuild every indicator a write has made stale and drop the dirty rows seen; a write committed while
    this runs leaves its own row for the next refresh. Returns the rows written per indicator."""
    by_key = {ind.key: ind for ind in indicators.all_indicators() if factable(ind)}
    return _refresh_dirty(by_key, list(FactDirty.objects.values_list("pk", "indicator", "object_id")))


def as_of(members: Iterable[Indicator]) -> tuple[Any, bool]:
    """When the oldest of these indicators' facts were built, and whether a write since is still waiting for
    the refresh (only ever true in the background mode)."""
    keys = [ind.key for ind in members if factable(ind)]
    if not keys or not enabled():
        return None, False
    oldest = (
        FactState.objects.filter(indicator__in=keys, built_at__isnull=False)
        .order_by("built_at")
        .values_list("built_at", flat=True)
        .first()
    )
    return oldest, FactDirty.objects.filter(indicator__in=keys).exists()


def invalidate_all() -> None:
    """Forget every build, so each indicator is rebuilt on its next read: for bulk writes that leave no audit
    records (the demo generator's backdated history, a restore)."""
    FactState.objects.update(built_at=None)
    ensured = _ENSURED.get()
    if ensured is not None:
        ensured.clear()


def rebuild_all() -> dict[str, int]:
    out = {ind.key: rebuild(ind) for ind in indicators.all_indicators() if factable(ind)}
    FactDirty.objects.filter(indicator__in=out).delete()
    return out


def whole(qs: QuerySet[Any]) -> QuerySet[Any]:
    """The rows holding the whole figure (not the per-industry or per-breakdown ones)."""
    return qs.filter(industry="", breakdown="")


def _prefix(filters: Any) -> str:
    from techmarket.orgs.selectors import region_prefix

    return region_prefix(filters.region) if filters is not None and filters.region else ""


def rolled_up(filters: Any) -> bool:
    """Whether FactTotal answers for these filters (a region filter naming a province, city or county)."""
    return len(_prefix(filters)) in LEVELS


def totals(members: Iterable[Indicator], filters: Any, *, level: int | None = None) -> QuerySet[FactTotal]:
    """The roll-up rows of these indicators for the filters' region and chain (any month). With ``level``:
    the rows of each area of that level within the region (a breakdown by region), every chain's rows when
    the filters name none and ``level`` is "chains" (see by_chain)."""
    members = list(members)
    ensure(members)
    prefix = _prefix(filters)
    chain = filters.chain if filters is not None and filters.chain else 0
    qs = FactTotal.objects.filter(indicator__in=[ind.key for ind in members], chain_id=chain)
    if level is None:
        return qs.filter(level=len(prefix), area=prefix)
    return qs.filter(level=level, area__startswith=prefix)


def chain_totals(members: Iterable[Indicator], filters: Any) -> QuerySet[FactTotal]:
    """The roll-up rows of each chain (not the all-chains ones) within the filters' region."""
    members = list(members)
    ensure(members)
    prefix = _prefix(filters)
    qs = FactTotal.objects.filter(
        indicator__in=[ind.key for ind in members], level=len(prefix), area=prefix, chain_id__gt=0
    )
    if filters is not None and filters.chain:
        qs = qs.filter(chain_id=filters.chain)
    return qs


def scope(members: Iterable[Indicator], filters: Any) -> QuerySet[Fact]:
    """The fact rows of these indicators within the filters' region and chain (any month)."""
    from techmarket.orgs.selectors import region_prefix

    members = list(members)
    ensure(members)
    qs = Fact.objects.filter(indicator__in=[ind.key for ind in members])
    if filters is not None and filters.region:
        qs = qs.filter(region__startswith=region_prefix(filters.region))
    if filters is not None and filters.chain:
        qs = qs.filter(chain_id=filters.chain)
    return qs


def in_months(qs: QuerySet[Any], period: Any) -> QuerySet[Any]:
    start, end = period.bounds(dates=True)
    return qs.filter(month__gte=start, month__lt=end)


def total_filter(period: Any) -> Q:
    start, end = period.bounds(dates=True)
    return Q(month__gte=start, month__lt=end)


def summed(qs: QuerySet[Any], **named: Q) -> dict[str, Any]:
    """One row per indicator with a sum per named condition (a single scan)."""
    rows = qs.values("indicator").annotate(**{k: Sum("value", filter=q) for k, q in named.items()})
    return {row["indicator"]: row for row in rows.order_by()}
