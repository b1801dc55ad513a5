"""Two years of history, so that the bureau's charts have a shape on first start.

The catalogue builders publish everything within the last six months. This step moves part of it back
in time, month by month over the last two years: what was published more than six months ago has since
expired or been closed (solved ones come only from deals: the engagements builder); organisations and experts joined over
the same two years. The demo organisation's own items keep their states (its workspace shows one of each).
A separate random stream keeps the later builders' output unchanged.
"""

import random
from datetime import timedelta

from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus
from techmarket.experts.models import Expert
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization

from ..context import DemoContext

MOVED_SHARE = 0.45  # of the published needs and achievements
LATER_STATUS = [(ListingStatus.EXPIRED, 70), (ListingStatus.CLOSED, 30)]


def _age_listings(model: type[Need] | type[Achievement], rng: random.Random, keep_owner: int) -> None:
    now = timezone.now()
    published = (
        model.objects.unscoped()
        .filter(status=ListingStatus.PUBLISHED, published_at__isnull=False)
        .exclude(owner_id=keep_owner)
        .order_by("pk")
    )
    for pk in published.values_list("pk", flat=True):
        if rng.random() >= MOVED_SHARE:
            continue
        when = now - timedelta(days=rng.randint(185, 730), hours=rng.randint(0, 23))
        status = rng.choices([s for s, _ in LATER_STATUS], weights=[w for _, w in LATER_STATUS])[0]
        model.objects.unscoped().filter(pk=pk).update(
            status=status,
            created_at=when - timedelta(days=rng.randint(2, 20)),
            submitted_at=when - timedelta(days=rng.randint(1, 3)),
            published_at=when,
            expires_at=when + timedelta(days=180),
        )


def build(ctx: DemoContext) -> None:
    rng = random.Random(ctx.seed + 1)
    demo_org = ctx.users["demo_enterprise"].memberships.first().organization
    _age_listings(Need, rng, demo_org.pk)
    _age_listings(Achievement, rng, demo_org.pk)
    now = timezone.now()
    # The organisations of the printed demo logins keep "joined today"; the others joined over two years.
    logins = {username for _role, username, _org in ctx.logins}
    demo_orgs = {
        m.organization_id for u in ctx.users.values() if u.username in logins for m in u.memberships.all()
    }
    for pk in Organization.objects.exclude(pk__in=demo_orgs).order_by("pk").values_list("pk", flat=True):
        Organization.objects.filter(pk=pk).update(created_at=now - timedelta(days=rng.randint(30, 730)))
    for pk in Expert.objects.unscoped().order_by("pk").values_list("pk", flat=True):
        Expert.objects.unscoped().filter(pk=pk).update(created_at=now - timedelta(days=rng.randint(0, 730)))
