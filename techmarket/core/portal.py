"""What the portal home page shows: headline figures, the latest listed items, a search over every
catalogue type and the transfer chain as entry points. Types come from the catalogue registry and every
item goes through its type's visibility selector."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from techmarket.catalog import registry
from techmarket.catalog.models import LISTED_STATUSES
from techmarket.orgs.models import Organization

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


def headline_figures() -> list[dict[str, Any]]:
    """Counts anyone may see: each catalogue type's public listed items, and approved organisations."""
    anonymous = AnonymousUser()
    figures = [
        {
            "label": ctype.label,
            "value": _listed(ctype, ctype.list_visible(anonymous)).count(),
            "url": ctype.list_url(),
        }
        for ctype in registry.all_types()
    ]
    figures.append(
        {
            "label": _("入驻机构"),
            "url": _reverse("orgs:list"),
            "value": Organization.objects.filter(status=Organization.Status.APPROVED).count(),
        }
    )
    return figures


def organization_counts() -> dict[str, int]:
    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    K = Organization.Kind
    return {
        "enterprises": approved.filter(kind__in=[K.ENTERPRISE, K.CONSORTIUM]).count(),
        "universities": approved.filter(
            kind__in=[K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD]
        ).count(),
        "services": approved.filter(kind__in=[K.SERVICE, K.INVESTOR]).count(),
    }


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
