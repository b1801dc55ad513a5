"""The workspace panel (named on ContractsConfig.workspace_panel): the contracts a user takes part in."""

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import TechContract


def panel(user: Any) -> dict[str, Any] | None:
    """Counts by registration state, each linking to the filtered contract list.

    Parties, recorders and brokers see their own contracts; operators and the bureau see the register's
    queue (待认定). Users with no contract and no role on the register get no panel.
    """
    visible = selectors.contract_list_visible_to(user)
    list_url = reverse("contracts:list")
    counts = dict.fromkeys(TechContract.Status.values, 0)
    for row in visible.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    register_role = selectors.sees_every_contract(user)
    if not register_role and not any(counts.values()):
        return None
    links: list[tuple[str, str, int]] = []
    if register_role:
        links.append((_("待认定登记的合同"), f"{list_url}?status=submitted", counts["submitted"]))
        links.append((_("已登记合同"), f"{list_url}?status=registered", counts["registered"]))
    else:
        links.append((_("待提交的合同"), f"{list_url}?status=draft", counts["draft"]))
        links.append((_("待认定的合同"), f"{list_url}?status=submitted", counts["submitted"]))
        links.append((_("已登记合同"), f"{list_url}?status=registered", counts["registered"]))
        if counts["refused"]:
            links.append((_("不予登记（可修改后重报）"), f"{list_url}?status=refused", counts["refused"]))
    return {"title": _("技术合同"), "links": links}
