"""The vouchers panel of the workspace: the enterprise's vouchers, the provider's claims, the bureau's
claims to settle."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles

from .models import VoucherUse
from .selectors import is_bureau_side, uses_visible_to, voucher_list_visible_to


def panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    links = []
    if is_bureau_side(user):
        waiting = uses_visible_to(user, status=VoucherUse.Status.CLAIMED).count()
        links.append((_("待结算的兑付申请"), reverse("vouchers:uses") + "?status=claimed", waiting))
        links.append((_("创新券台账"), reverse("vouchers:list"), voucher_list_visible_to(user).count()))
    else:
        orgs = [o.pk for o in roles.user_organizations(user)]
        held = voucher_list_visible_to(user).count()
        if held:
            links.append((_("本企业的创新券"), reverse("vouchers:list"), held))
        to_claim = uses_visible_to(user, status=VoucherUse.Status.SPENT).filter(provider_id__in=orgs).count()
        if to_claim:
            links.append((_("可申请兑付的用券"), reverse("vouchers:uses") + "?status=spent", to_claim))
    if not links:
        return None
    return {"title": _("创新券"), "links": links}
