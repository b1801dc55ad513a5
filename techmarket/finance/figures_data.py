"""Finance totals for the bureau: by bank and product, applications by state, and the points distribution.
Totals only — no single enterprise is named (the page and the API endpoint are for operators and the bureau)."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from techmarket.orgs.models import Organization

from .models import FinanceProduct, Loan, LoanApplication, PointsSnapshot, ProductKind

POINT_BUCKETS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("0–19", Decimal("0"), Decimal("20")),
    ("20–39", Decimal("20"), Decimal("40")),
    ("40–59", Decimal("40"), Decimal("60")),
    ("60–79", Decimal("60"), Decimal("80")),
    ("80+", Decimal("80"), None),
)


def _wan(value: Decimal | None) -> Decimal:
    return ((value or Decimal("0")) / 10000).quantize(Decimal("0.01"))


def by_product() -> list[dict[str, Any]]:
    S = LoanApplication.Status
    rows = (
        FinanceProduct.objects.unscoped()
        .select_related("provider")
        .annotate(
            n_applications=Count("applications", distinct=True),
            n_pending=Count("applications", filter=Q(applications__status=S.PENDING), distinct=True),
            n_approved=Count("applications", filter=Q(applications__status=S.APPROVED), distinct=True),
            n_rejected=Count("applications", filter=Q(applications__status=S.REJECTED), distinct=True),
            n_granted=Count("applications__loan", distinct=True),
            n_granted_amount=Sum("applications__loan__amount"),
        )
        .order_by("provider__name", "name")
    )
    return [
        {
            "product_id": p.pk,
            "product": p.name,
            "kind": p.kind,
            "kind_label": str(p.get_kind_display()),
            "provider_id": p.provider_id,
            "provider": p.provider.name,
            "applications": p.n_applications,
            "pending": p.n_pending,
            "approved": p.n_approved,
            "rejected": p.n_rejected,
            "granted": p.n_granted,
            "granted_amount_wan": _wan(p.n_granted_amount),
        }
        for p in rows
    ]


def by_provider(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for row in products:
        r = out.setdefault(
            row["provider_id"],
            {"provider_id": row["provider_id"], "provider": row["provider"], "applications": 0, "granted": 0,
             "loans_wan": Decimal("0"), "guarantees_wan": Decimal("0")},
        )  # fmt: skip
        r["applications"] += row["applications"]
        r["granted"] += row["granted"]
        key = "guarantees_wan" if row["kind"] == ProductKind.GUARANTEE else "loans_wan"
        r[key] += row["granted_amount_wan"]
    return sorted(out.values(), key=lambda r: r["provider"])


def points_distribution() -> list[dict[str, Any]]:
    latest: dict[int, Decimal] = {}
    for org_id, total in (
        PointsSnapshot.objects.unscoped()
        .filter(organization__status=Organization.Status.APPROVED)
        .order_by("organization_id", "-computed_at", "-pk")
        .values_list("organization_id", "total")
    ):
        latest.setdefault(org_id, total)
    out = []
    for label, lo, hi in POINT_BUCKETS:
        n = sum(1 for v in latest.values() if v >= lo and (hi is None or v < hi))
        out.append({"range": label, "enterprises": n})
    return out


def summary() -> dict[str, Any]:
    products = by_product()
    loans = Loan.objects.unscoped()
    guarantee = Q(application__product__kind=ProductKind.GUARANTEE)
    totals = loans.aggregate(
        loans=Count("pk", filter=~guarantee),
        loan_amount=Sum("amount", filter=~guarantee),
        guarantees=Count("pk", filter=guarantee),
        guarantee_amount=Sum("amount", filter=guarantee),
    )
    by_status = dict(
        LoanApplication.objects.unscoped().values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "applications": sum(by_status.values()),
        "by_status": [
            {"status": s.value, "label": str(s.label), "count": by_status.get(s.value, 0)}
            for s in LoanApplication.Status
        ],
        "loans": totals["loans"],
        "loan_amount_wan": _wan(totals["loan_amount"]),
        "guarantees": totals["guarantees"],
        "guarantee_amount_wan": _wan(totals["guarantee_amount"]),
        "by_product": products,
        "by_provider": by_provider(products),
        "points_distribution": points_distribution(),
    }
