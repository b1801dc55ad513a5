"""What the portal home page shows: headline figures, the latest listed items, a search over all three
catalogues and the transfer chain as entry points. Every item goes through the catalogue's selector."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.selectors import achievement_list_visible_to
from techmarket.catalog.models import LISTED_STATUSES
from techmarket.experts.selectors import expert_list_visible_to
from techmarket.needs.selectors import need_list_visible_to
from techmarket.orgs.models import Organization

# The five stages every deal walks, each an entry point into the catalogue where that stage starts.
TRANSFER_CHAIN = [
    (_("发现对接"), _("发布需求、浏览成果，获得有依据的匹配推荐"), "needs:list", ""),
    (_("概念验证"), _("早期成果（TRL 1–4）寻找验证场景与合作企业"), "achievements:list", "trl_max=4"),
    (_("中试熟化"), _("样机与中试阶段的成果（TRL 5–6）"), "achievements:list", "trl_min=5&trl_max=6"),
    (_("交易融资"), _("可转让、许可、作价入股的成熟成果"), "achievements:list", "trl_min=7"),
    (_("产业化"), _("专家人才与技术经理人陪伴落地"), "experts:list", ""),
]


def headline_figures() -> list[dict[str, Any]]:
    """Counts anyone may see: listed needs and achievements, active experts, approved organisations."""
    from techmarket.achievements.models import Achievement
    from techmarket.experts.models import Expert
    from techmarket.needs.models import Need

    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    figures = [
        (_("技术需求"), Need.objects.filter(status__in=LISTED_STATUSES).count(), "needs:list"),
        (_("科技成果"), Achievement.objects.filter(status__in=LISTED_STATUSES).count(), "achievements:list"),
        (_("专家人才"), Expert.objects.filter(is_active=True).count(), "experts:list"),
        (_("入驻机构"), approved.count(), "orgs:list"),
    ]
    return [{"label": label, "value": value, "url": _reverse(name)} for label, value, name in figures]


def organization_counts() -> dict[str, int]:
    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    K = Organization.Kind
    return {
        "enterprises": approved.filter(kind__in=[K.ENTERPRISE, K.CONSORTIUM]).count(),
        "universities": approved.filter(kind__in=[K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD]).count(),
        "services": approved.filter(kind__in=[K.SERVICE, K.INVESTOR]).count(),
    }


def latest_listed(user: Any, *, n: int = 6) -> dict[str, list[Any]]:
    from techmarket.catalog.visibility import owner_label

    needs = list(need_list_visible_to(user).filter(status__in=LISTED_STATUSES)[:n])
    achievements = list(achievement_list_visible_to(user).filter(status__in=LISTED_STATUSES)[:n])
    for item in needs + achievements:
        item.owner_display = owner_label(user, item)  # anonymous items keep their owner hidden
    return {"latest_needs": needs, "latest_achievements": achievements}


def search_all(user: Any, q: str, *, n: int = 5) -> list[dict[str, Any]]:
    """The first ``n`` hits per catalogue with the total and a link to the full filtered list."""
    q = q.strip()[:100]
    if not q:
        return []
    groups = [
        ("need", _("技术需求"), need_list_visible_to(user, q=q).filter(status__in=LISTED_STATUSES), "needs:list"),
        ("achievement", _("科技成果"), achievement_list_visible_to(user, q=q).filter(status__in=LISTED_STATUSES),
         "achievements:list"),
        ("expert", _("专家人才"), expert_list_visible_to(user, q=q).filter(is_active=True), "experts:list"),
    ]
    from django.utils.http import urlencode

    from techmarket.catalog.visibility import owner_label

    out = []
    for kind, label, qs, url_name in groups:
        items = list(qs[:n])
        if kind != "expert":
            for item in items:
                item.owner_display = owner_label(user, item)
        out.append({"kind": kind, "label": label, "count": qs.count(), "items": items,
                    "url": f"{_reverse(url_name)}?{urlencode({'q': q})}"})
    return out


def chain_entries() -> list[dict[str, Any]]:
    return [{"label": label, "text": text, "url": _reverse(name) + (f"?{query}" if query else "")}
            for label, text, name, query in TRANSFER_CHAIN]


def _reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
