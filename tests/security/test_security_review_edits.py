"""Finding 4: an owner's content change of an item that was ever listed goes back through review,
including while it is expired, so a renewal can never publish unreviewed text."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def _json(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


def test_editing_an_expired_need_sends_it_to_review_and_renew_cannot_publish_it(owner, client):
    user, org = owner
    need = Need.objects.create(
        owner=org,
        title="旧标题",
        summary="旧摘要",
        problem="难题",
        visibility=Visibility.PUBLIC,
        status=ListingStatus.EXPIRED,
    )
    client.force_login(user)
    edited = _json(client, "patch", f"/api/needs/{need.pk}", {"summary": "未经审核的新摘要"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == ListingStatus.PENDING
    renewed = _json(client, "post", f"/api/needs/{need.pk}/actions/renew", {})
    assert renewed.status_code == 422
    need.refresh_from_db()
    assert need.status == ListingStatus.PENDING


def test_editing_an_expired_achievement_sends_it_to_review(owner, client):
    user, org = owner
    item = Achievement.objects.create(
        owner=org,
        title="旧成果",
        summary="旧摘要",
        trl=5,
        transfer_modes=["ordinary_license"],
        price_negotiable=True,
        visibility=Visibility.PUBLIC,
        status=ListingStatus.EXPIRED,
    )
    client.force_login(user)
    edited = _json(client, "patch", f"/api/achievements/{item.pk}", {"summary": "未经审核的新摘要"})
    assert edited.status_code == 200, edited.content
    item.refresh_from_db()
    assert item.status == ListingStatus.PENDING
    assert _json(client, "post", f"/api/achievements/{item.pk}/actions/renew", {}).status_code == 422


def test_renewing_an_unchanged_expired_need_still_works(owner, client):
    user, org = owner
    need = Need.objects.create(
        owner=org,
        title="标题",
        summary="摘要",
        problem="难题",
        visibility=Visibility.PUBLIC,
        status=ListingStatus.EXPIRED,
    )
    client.force_login(user)
    assert _json(client, "post", f"/api/needs/{need.pk}/actions/renew", {}).status_code == 200
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED
