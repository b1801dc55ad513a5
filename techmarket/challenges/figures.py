"""揭榜挂帅 on the bureau's dashboard (analytics.indicators): lists published, funding, teams answering,
awarded. Region: the issuing enterprise's; chain: the source need's. Amounts in 万元."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Application, Challenge, Payment

S = Challenge.Status
PUBLISHED = (S.OPEN, S.REVIEWING, S.PUBLICITY, S.AWARDED, S.COMPLETED, S.CLOSED)
AWARDED = (S.AWARDED, S.COMPLETED)

register_group(Group("challenges", _("揭榜挂帅"), 28))
SHARED: dict[str, Any] = {
    "group": "challenges",
    "region_field": "owner__region__code",
    "industry_field": "industry__code",
    "chain_node_field": "need__chain_node",
}


def _published() -> Any:
    return Challenge.objects.unscoped().filter(status__in=PUBLISHED, published_at__isnull=False)


def _awarded() -> Any:
    return Challenge.objects.unscoped().filter(status__in=AWARDED, awarded_at__isnull=False)


def _applications() -> Any:
    return Application.objects.unscoped().filter(challenge__status__in=PUBLISHED)


register(
    Indicator(
        "challenges.published", _("发布揭榜挂帅榜单"), _("项"), _published, "published_at", order=10,
        help=_("期间内发布的榜单（不含草稿和待发布）"), **SHARED,
    )
)  # fmt: skip
register(
    Indicator(
        "challenges.funding", _("榜单总金额"), _("万元"), _published, "published_at", order=11,
        sum_field="funding_total", scale=10000, help=_("期间内发布榜单的总金额（企业出资与政府资金之和）"), **SHARED,
    )
)  # fmt: skip
register(
    Indicator(
        "challenges.applications", _("揭榜申报"), _("份"), _applications, "created_at", order=12,
        help=_("期间内提交的揭榜申报（含未入选和撤回的）"), group="challenges",
        region_field="challenge__owner__region__code", industry_field="challenge__industry__code",
        chain_node_field="challenge__need__chain_node",
    )
)  # fmt: skip
register(
    Indicator(
        "challenges.awarded", _("揭榜成功"), _("项"), _awarded, "awarded_at", order=13,
        help=_("期间内确定揭榜团队的榜单"), **SHARED,
    )
)  # fmt: skip


def _completed() -> Any:
    return Challenge.objects.unscoped().filter(status=S.COMPLETED, completed_at__isnull=False)


def _payments() -> Any:
    return Payment.objects.all()


register(
    Indicator(
        "challenges.accepted", _("通过最终验收"), _("项"), _completed, "completed_at", order=14,
        help=_("期间内通过最终验收（验收评审）的榜单"), **SHARED,
    )
)  # fmt: skip
register(
    Indicator(
        "challenges.paid", _("揭榜挂帅经费拨付"), _("万元"), _payments, "paid_on", order=15,
        sum_field="amount", scale=10000, help=_("期间内按里程碑验收拨付的经费（企业出资与财政支持）"),
        group="challenges", region_field="milestone__application__challenge__owner__region__code",
        industry_field="milestone__application__challenge__industry__code",
        chain_node_field="milestone__application__challenge__need__chain_node",
    )
)  # fmt: skip
