"""What the portal home page shows: headline figures, the latest listed items, a search over every
catalogue type and the transfer chain as entry points. Types come from the catalogue registry and every
item goes through its type's visibility selector."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry
from techmarket.catalog.models import LISTED_STATUSES
from techmarket.orgs.models import Organization

logger = logging.getLogger(__name__)

# The five stages every deal walks, each an entry point into the catalogue where that stage starts.
TRANSFER_CHAIN = [
    (_("发现对接"), _("发布需求、浏览成果，获得有依据的匹配推荐"), "needs", ""),
    (_("概念验证"), _("早期成果（TRL 1–4）寻找验证场景与合作企业"), "achievements", "trl_max=4"),
    (_("中试熟化"), _("样机与中试阶段的成果（TRL 5–6）"), "achievements", "trl_min=5&trl_max=6"),
    (_("交易融资"), _("可转让、许可、作价入股的成熟成果"), "achievements", "trl_min=7"),
    (_("产业化"), _("专家人才与技术经理人陪伴落地"), "experts", ""),
]


def _listed(ctype: Any, qs: Any) -> Any:
    """Listed items only (reviewed types have a status; others, like experts, their own selector rules). A type
    with states of its own (a challenge 揭榜中, a facility 已认定, a product 在售) is counted as its public
    selector shows it to a visitor."""
    if ctype.matching is not None:
        return ctype.matching.listed(qs)
    try:
        status = ctype.model._meta.get_field("status")
    except FieldDoesNotExist:
        return qs
    states = {value for value, _label in (status.choices or [])}
    return qs.filter(status__in=LISTED_STATUSES) if states & set(LISTED_STATUSES) else qs


def _count_public() -> dict[str, int]:
    """Every count the home page shows (anyone may see them): each catalogue type's public listed items,
    approved organisations in all and by kind."""
    anonymous = AnonymousUser()
    counts = {
        f"type:{ctype.key}": _listed(ctype, ctype.list_visible(anonymous)).count()
        for ctype in registry.all_types()
    }
    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    K = Organization.Kind
    counts.update(
        {
            "organizations": approved.count(),
            "enterprises": approved.filter(kind__in=[K.ENTERPRISE, K.CONSORTIUM]).count(),
            "universities": approved.filter(
                kind__in=[K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD]
            ).count(),
            "services": approved.filter(kind__in=[K.SERVICE, K.INVESTOR]).count(),
        }
    )
    return counts


# The public counts are a dozen COUNT(*)s over catalogues of 100k rows, the same for every visitor: they are
# kept in the shared cache, tagged with the generation that every saved or deleted catalogue item or
# organisation renews (portal_counts_changed, connected in CoreConfig.ready). A bulk write that sends no
# signal is seen within PUBLIC_COUNTS_SECONDS. Without the cache they are counted on every request.
PUBLIC_COUNTS_SECONDS = 60
_GENERATION_KEY = "portal:counts:generation"
_COUNTS_KEY = "portal:counts"


def public_counts() -> dict[str, int]:
    try:
        found = cache.get_many([_GENERATION_KEY, _COUNTS_KEY])
    except Exception:  # redis ConnectionError/TimeoutError, CacheUnavailable: count without the cache
        return _count_public()
    generation = found.get(_GENERATION_KEY)
    stored = found.get(_COUNTS_KEY)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == generation:
        return dict(stored[1])
    counts = _count_public()
    try:
        cache.set(_COUNTS_KEY, (generation, counts), PUBLIC_COUNTS_SECONDS)
    except Exception:
        logger.warning("portal: cache unreachable, public counts not kept")
    return counts


def renew_public_counts() -> None:
    """A change the public counts may depend on: the next home page counts again."""
    try:
        cache.set(_GENERATION_KEY, time.time_ns(), None)
    except Exception:  # counts then refresh within PUBLIC_COUNTS_SECONDS
        logger.debug("portal: cache unreachable, public counts refresh within %s s", PUBLIC_COUNTS_SECONDS)


def portal_counts_changed(sender: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver for a catalogue item or an organisation: renew now, and again once
    the transaction commits, so that a page counted between the two (before the commit) is not kept."""
    if not (isinstance(sender, type) and (issubclass(sender, Organization) or registry.for_model(sender))):
        return
    renew_public_counts()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is renew_public_counts for entry in connection.run_on_commit
    ):
        return  # already due at this transaction's commit (an import saves many rows in one transaction)
    transaction.on_commit(renew_public_counts)


def headline_figures() -> list[dict[str, Any]]:
    """Counts anyone may see: each catalogue type's public listed items, and approved organisations."""
    counts = public_counts()
    figures = [
        {"label": ctype.label, "value": counts[f"type:{ctype.key}"], "url": ctype.list_url()}
        for ctype in registry.all_types()
        if f"type:{ctype.key}" in counts
    ]
    figures.append({"label": _("入驻机构"), "url": _reverse("orgs:list"), "value": counts["organizations"]})
    return figures


def organization_counts() -> dict[str, int]:
    counts = public_counts()
    return {key: counts[key] for key in ("enterprises", "universities", "services")}


def _rows(user: Any, ctype: Any, items: list[Any]) -> list[dict[str, Any]]:
    from techmarket.catalog.visibility import owner_label

    rows = []
    for item in items:
        owner = (
            owner_label(user, item)
            if hasattr(item, "owner_id")
            else str(getattr(item, "affiliation", "") or "")
        )
        rows.append(
            {"item": item, "title": ctype.title_of(item), "url": ctype.detail_url(item), "owner": owner}
        )
    return rows


def latest_listed(user: Any, *, n: int = 6) -> dict[str, Any]:
    """The newest listed items of the reviewed types (needs, achievements), each with its list link."""
    sections = []
    for ctype in registry.all_types():
        if ctype.pages is None:
            continue
        items = list(_listed(ctype, ctype.list_visible(user))[:n])
        sections.append(
            {
                "label": ctype.label,
                "url": ctype.list_url(),
                "rows": _rows(user, ctype, items),
                "key": ctype.key,
            }
        )
    return {"latest": sections}


def search_all(user: Any, q: str, *, n: int = 5) -> list[dict[str, Any]]:
    """The first ``n`` hits per catalogue type with the total and a link to the full filtered list."""
    q = q.strip()[:100]
    if not q:
        return []
    out = []
    for ctype in registry.all_types():
        qs = _listed(ctype, ctype.list_visible(user, q=q))
        out.append(
            {
                "kind": ctype.key,
                "label": ctype.label,
                "count": qs.count(),
                "rows": _rows(user, ctype, list(qs[:n])),
                "url": f"{ctype.list_url()}?{urlencode({'q': q})}",
            }
        )
    return out


def chain_entries() -> list[dict[str, Any]]:
    out = []
    for label, text, key, query in TRANSFER_CHAIN:
        ctype = registry.find(key)
        if ctype is not None:
            out.append(
                {"label": label, "text": text, "url": ctype.list_url() + (f"?{query}" if query else "")}
            )
    return out


def _reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
