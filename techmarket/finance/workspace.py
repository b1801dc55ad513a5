"""The finance panel of the workspace: banks and guarantors see applications to decide and loans to record;
enterprises their points, declarations and applications; operators the declarations to verify."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from . import points, selectors
from .models import Declaration, LoanApplication


def panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    links: list[tuple[str, str, int | None]] = []
    providers = selectors.provider_orgs(user)
    applications = reverse("finance:applications")
    if providers:
        received = selectors.applications_visible_to(user, side="received")
        links.append(
            (_("待审批的融资申请"), applications + "?side=received&status=pending",
             received.filter(status=LoanApplication.Status.PENDING).count())
        )  # fmt: skip
        links.append(
            (_("已批准待登记放款"), applications + "?side=received&status=approved",
             received.filter(status=LoanApplication.Status.APPROVED, loan__isnull=True).count())
        )  # fmt: skip
        links.append(
            (_("本机构的金融产品"), reverse("finance:list") + f"?provider={providers[0].pk}",
             selectors.product_list_visible_to(user, provider=providers[0].pk).count())
        )  # fmt: skip
    for org in selectors.enterprise_orgs(user)[:1]:
        links.append((_("我的创新积分：%(p)s 分") % {"p": points.fmt(points.current_points(org))},
                      reverse("finance:points", args=[org.pk]), None))  # fmt: skip
        links.append(
            (_("我的融资申请"), applications + "?side=made",
             selectors.applications_visible_to(user, side="made").count())
        )  # fmt: skip
    if selectors.is_operator(user):
        links.append(
            (_("待核验的积分申报"), reverse("finance:declarations") + "?status=pending",
             selectors.declarations_visible_to(user, status=Declaration.Status.PENDING).count())
        )  # fmt: skip
    if selectors.sees_totals(user):
        links.append((_("创新积分排名"), reverse("finance:ranking"), None))  # a page, not a count
        links.append((_("金融服务统计"), reverse("finance:figures"), None))
    if not links:
        return None
    return {"title": _("金融服务"), "links": links}
