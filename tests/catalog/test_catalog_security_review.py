"""Security review regressions: anonymous items stay anonymous under the ?owner= filter."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_items():
    owner = OrganizationFactory(name="临沂匿名发布测试有限公司")
    member = UserFactory()
    MembershipFactory(user=member, organization=owner, role=Role.MEMBER)
    common = {
        "owner": owner,
        "summary": "公开摘要",
        "visibility": Visibility.PUBLIC,
        "status": ListingStatus.PUBLISHED,
        "is_anonymous": True,
    }
    need = Need.objects.create(title="匿名需求：高端不锈钢冷轧", problem="难题", **common)
    achievement = Achievement.objects.create(title="匿名成果：高熵合金涂层", trl=5, **common)
    return owner, member, need, achievement


@pytest.mark.parametrize("path", ["/api/needs", "/api/achievements"])
def test_owner_filter_does_not_reveal_who_published_an_anonymous_item(client, anonymous_items, path):
    owner, _member, _need, _achievement = anonymous_items
    assert client.get(path, {"owner": owner.pk}).json()["count"] == 0
    client.force_login(UserFactory())
    assert client.get(path, {"owner": owner.pk}).json()["count"] == 0


@pytest.mark.parametrize("path", ["/imports/needs/export.csv", "/imports/achievements/export.csv"])
def test_export_owner_filter_does_not_reveal_who_published_an_anonymous_item(client, anonymous_items, path):
    owner, _member, need, achievement = anonymous_items
    client.force_login(UserFactory())
    text = client.get(path, {"owner": owner.pk}).content.decode("utf-8-sig")
    assert need.title not in text and achievement.title not in text


@pytest.mark.parametrize("path", ["/api/needs", "/api/achievements"])
def test_owner_filter_still_finds_anonymous_items_for_owner_members_and_brokers(
    client, anonymous_items, path
):
    owner, member, _need, _achievement = anonymous_items
    for user in (member, make_broker()):
        client.force_login(user)
        assert client.get(path, {"owner": owner.pk}).json()["count"] == 1
