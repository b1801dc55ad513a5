"""The facility lists filter by a region chosen by name: a city (371300) finds the facilities of its counties,
as the code prefix of an older link (?region=3713) does."""

import pytest
from facility_helpers import facility_data
from factories import OrganizationFactory, make_org_admin

from techmarket.facilities import services
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("region", "found"),
    [
        ("371300", True),
        ("371302", True),
        ("3713", True),
        ("370000", True),
        ("370100", False),
        ("371311", False),
    ],
)
def test_a_city_finds_the_facilities_of_its_counties(client, region, found):
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    admin = make_org_admin(university)
    centre = services.facility_create(acting_user=admin, owner=university, data=facility_data())  # 兰山区
    client.force_login(admin)
    page = client.get("/facilities/", {"region": region}).content.decode()
    assert (f'href="/facilities/{centre.pk}/"' in page) is found
