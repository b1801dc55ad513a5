"""What a workspace offers first, decided by the user's roles and the kinds of their organisations.

Pure functions that take data in (roles, organisation kinds, memberships), so the workspace view, the
catalogue registry's panels and the tests can all use them without touching the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from techmarket.orgs.models import Organization, Role

K = Organization.Kind
# Organisations that post needs (the demand side) and those that post achievements (the supply side).
DEMAND_KINDS = frozenset({K.ENTERPRISE, K.CONSORTIUM})
SUPPLY_KINDS = frozenset({K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD})
NEED_OWNER_KINDS = DEMAND_KINDS | {K.INDUSTRY_INSTITUTE, K.NEW_RD}
ACHIEVEMENT_OWNER_KINDS = SUPPLY_KINDS | {K.ENTERPRISE, K.CONSORTIUM}


@dataclass(frozen=True)
class Action:
    label: Any
    url_name: str
    query: str = ""
    primary: bool = False
    args: tuple[Any, ...] = ()

    def as_link(self) -> dict[str, Any] | None:
        try:
            url = reverse(self.url_name, args=self.args)
        except NoReverseMatch:  # the app providing it is not installed: no dead button
            return None
        return {
            "label": str(self.label),
            "url": url + (f"?{self.query}" if self.query else ""),
            "primary": self.primary,
            "url_name": self.url_name,
        }


def first_actions(
    *,
    roles: Iterable[str],
    org_kinds: Iterable[str],
    expert_profile_id: int | None = None,
    has_organization: bool = True,
) -> list[dict[str, Any]]:
    """The buttons at the top of the workspace, most important first, without duplicates.

    ``org_kinds`` are the kinds of the approved organisations the user acts for (admin or member); an
    expert who only holds the expert role at a university keeps a profile, the university's office
    publishes its achievements.

    An enterprise publishes needs (three lists); a university or institute publishes achievements and
    keeps its experts; a broker works the matching workbench; an expert keeps a profile; an investor
    looks for achievements to invest in; the bureau looks at the catalogues, never at a publish form.
    """
    role_set, kinds = set(roles), set(org_kinds)
    actions: list[Action] = []
    if Role.OPERATOR in role_set:
        actions += [
            Action(_("审核需求"), "needs:review", primary=True),
            Action(_("审核成果"), "achievements:review"),
            Action(_("机构审核"), "orgs:review_queue"),
            Action(_("匹配索引状态"), "matching:health"),
            Action(_("审计日志"), "audit:log"),
        ]
    if kinds & DEMAND_KINDS:
        actions += [
            Action(_("发布技术需求"), "needs:create", primary=True),
            Action(_("发布人才需求"), "needs:create", query="kind=talent"),
            Action(_("发布校企合作需求"), "needs:create", query="kind=cooperation"),
            Action(_("从 Excel 批量导入需求"), "imports:upload", args=("needs",)),
        ]
    if kinds & SUPPLY_KINDS:
        actions += [
            Action(_("发布科技成果"), "achievements:create", primary=True),
            Action(_("从 Excel 批量导入成果"), "imports:upload", args=("achievements",)),
            Action(_("浏览企业技术需求"), "needs:list"),
        ]
    if Role.BROKER in role_set:
        actions += [
            Action(_("匹配工作台"), "matching:workbench", primary=True),
            Action(_("浏览新发布的需求"), "needs:list", query="ordering=newest"),
        ]
    if Role.EXPERT in role_set or expert_profile_id or kinds & SUPPLY_KINDS:
        actions.append(
            Action(
                _("我的专家档案"),
                "experts:detail",
                args=(expert_profile_id,),
                primary=Role.EXPERT in role_set,
            )
            if expert_profile_id
            else Action(_("建立专家档案"), "experts:create", primary=Role.EXPERT in role_set)
        )
        actions.append(Action(_("联系申请"), "experts:my_requests"))
        actions.append(Action(_("浏览企业技术需求"), "needs:list"))
    if K.INVESTOR in kinds:
        actions += [
            Action(_("可作价入股的成果"), "achievements:list", query="transfer_mode=equity", primary=True),
            Action(_("中试及以上阶段的成果"), "achievements:list", query="trl_min=6"),
            Action(_("浏览技术需求"), "needs:list"),
        ]
    if Role.BUREAU in role_set:
        actions += [
            Action(_("浏览技术需求"), "needs:list", primary=True),
            Action(_("浏览科技成果"), "achievements:list"),
            Action(_("专家人才"), "experts:list"),
            Action(_("入驻机构"), "orgs:list"),
        ]
    if not actions:
        actions = [
            Action(_("浏览技术需求"), "needs:list", primary=True),
            Action(_("浏览科技成果"), "achievements:list"),
        ]
    if not has_organization:
        actions.insert(0, Action(_("查找机构并申请加入"), "orgs:list", primary=True))
    links: list[dict[str, Any]] = []
    seen: set[str] = set()
    primary_taken = False
    for action in actions:
        link = action.as_link()
        if link is None or link["url"] in seen:
            continue
        seen.add(link["url"])
        link["primary"] = link["primary"] and not primary_taken  # one primary button: the first
        primary_taken = primary_taken or link["primary"]
        links.append(link)
    return links


def organizations_with_roles(memberships: Iterable[Any]) -> list[dict[str, Any]]:
    """Memberships grouped per organisation: one row per organisation with all of the user's roles
    (an operator who is also the organisation's admin sees the organisation once)."""
    rows: dict[int, dict[str, Any]] = {}
    for m in memberships:
        row = rows.setdefault(m.organization_id, {"organization": m.organization, "memberships": []})
        row["memberships"].append(m)
    return list(rows.values())


def pending_organizations(memberships: Iterable[Any]) -> list[Any]:
    """Organisations of the user still waiting for the operator's review (the workspace says so)."""
    out: dict[int, Any] = {}
    for m in memberships:
        if m.organization.status == Organization.Status.PENDING:
            out.setdefault(m.organization_id, m.organization)
    return list(out.values())
