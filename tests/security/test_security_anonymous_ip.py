"""Finding 5: an anonymous achievement's patent numbers (and titles) would name the owner through a
public patent register; they are shown only to those who may see the owner or were granted access."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.achievements.models import Achievement, AchievementIP
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

NUMBER, TITLE = "ZL202310123456.6", "一种磷酸铁锂正极材料的低温烧结方法"


@pytest.fixture
def anonymous_item():
    org = OrganizationFactory(name="某某大学")
    item = Achievement.objects.create(
        owner=org,
        title="低温正极材料",
        summary="摘要",
        trl=6,
        is_anonymous=True,
        transfer_modes=["ordinary_license"],
        price_negotiable=True,
        visibility=Visibility.PUBLIC,
        status=ListingStatus.PUBLISHED,
    )
    AchievementIP.objects.create(achievement=item, ip_type="invention", number=NUMBER, title=TITLE)
    return item


def test_anonymous_achievement_hides_patent_numbers_from_visitors_in_api_and_page(client, anonymous_item):
    api = client.get(f"/api/achievements/{anonymous_item.pk}")
    assert api.status_code == 200
    body = api.content.decode()
    assert NUMBER not in body and TITLE not in body
    assert api.json()["ip_rights"][0]["ip_type"] == "invention"  # the kind of right is still useful
    page = client.get(f"/achievements/{anonymous_item.pk}/").content.decode()
    assert NUMBER not in page and TITLE not in page
    other = UserFactory()
    MembershipFactory(user=other, organization=OrganizationFactory(), role=Role.MEMBER)
    client.force_login(other)
    assert NUMBER not in client.get(f"/api/achievements/{anonymous_item.pk}").content.decode()


def test_anonymous_achievement_export_hides_patent_numbers(client, anonymous_item):
    user = UserFactory()
    client.force_login(user)
    export = client.get("/imports/achievements/export.csv")
    assert export.status_code == 200, export.status_code
    content = b"".join(export.streaming_content) if export.streaming else export.content
    text = content.decode("utf-8-sig")
    assert "低温正极材料" in text and NUMBER not in text


def test_owner_and_broker_still_see_patent_numbers_of_anonymous_items(client, anonymous_item):
    member = UserFactory()
    MembershipFactory(user=member, organization=anonymous_item.owner, role=Role.MEMBER)
    client.force_login(member)
    assert NUMBER in client.get(f"/api/achievements/{anonymous_item.pk}").content.decode()
    client.force_login(make_broker())
    assert NUMBER in client.get(f"/achievements/{anonymous_item.pk}/").content.decode()
