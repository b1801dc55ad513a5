"""The finance indicators (analytics.indicators): applications, approvals, loans and guarantees granted and
their amounts. Breakdowns by bank and product, and the points distribution, are in ``figures_data``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Loan, LoanApplication, ProductKind

register_group(Group("finance", _("金融服务"), 45))

VIA_APPLICANT: dict[str, Any] = {
    "group": "finance",
    "region_field": "organization__region__code",
    "industry_field": "organization__industry__code",
}
VIA_LOAN_APPLICANT: dict[str, Any] = {
    "group": "finance",
    "region_field": "application__organization__region__code",
    "industry_field": "application__organization__industry__code",
}


def _applications() -> Any:
    return LoanApplication.objects.unscoped()


def _approved() -> Any:
    return _applications().filter(status=LoanApplication.Status.APPROVED, decided_at__isnull=False)


def _loans() -> Any:
    return Loan.objects.unscoped().exclude(application__product__kind=ProductKind.GUARANTEE)


def _guarantees() -> Any:
    return Loan.objects.unscoped().filter(application__product__kind=ProductKind.GUARANTEE)


register(
    Indicator(
        "finance.applications", _("融资申请"), _("笔"), _applications, "created_at", order=10,
        help=_("期间内企业向银行、担保机构提交的融资申请（含已撤回）"), **VIA_APPLICANT,
    )
)  # fmt: skip
register(
    Indicator(
        "finance.approved", _("获批融资申请"), _("笔"), _approved, "decided_at", order=11,
        help=_("期间内获批的融资申请"), **VIA_APPLICANT,
    )
)  # fmt: skip
register(
    Indicator(
        "finance.loans", _("发放贷款"), _("笔"), _loans, "granted_on", order=12,
        help=_("期间内登记放款的成果转化贷、人才贷、知识产权质押融资等"), **VIA_LOAN_APPLICANT,
    )
)  # fmt: skip
register(
    Indicator(
        "finance.loan_amount", _("贷款发放额"), _("万元"), _loans, "granted_on", order=13, sum_field="amount",
        scale=10000, help=_("期间内登记放款的贷款金额"), **VIA_LOAN_APPLICANT,
    )
)  # fmt: skip
register(
    Indicator(
        "finance.guarantees", _("融资担保"), _("笔"), _guarantees, "granted_on", order=14,
        help=_("期间内登记的融资担保"), **VIA_LOAN_APPLICANT,
    )
)  # fmt: skip
register(
    Indicator(
        "finance.guarantee_amount", _("担保金额"), _("万元"), _guarantees, "granted_on", order=15,
        sum_field="amount", scale=10000, help=_("期间内登记的融资担保金额"), **VIA_LOAN_APPLICANT,
    )
)  # fmt: skip
