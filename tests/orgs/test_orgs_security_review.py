"""Security review regressions: the review buttons' ?next= cannot send the operator to another site."""

import pytest
from factories import OrganizationFactory, make_operator

from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "//evil.example/", "orgs:detail"])
def test_review_actions_ignore_an_off_site_next(client, action, next_url):
    client.force_login(make_operator())
    org = OrganizationFactory(status=Organization.Status.PENDING)
    response = client.post(
        f"/orgs/{org.pk}/{action}/", {"next": next_url, "reason": "材料不全，请补充营业执照"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/orgs/review/"


def test_review_actions_still_return_to_a_local_next(client):
    client.force_login(make_operator())
    org = OrganizationFactory(status=Organization.Status.PENDING)
    response = client.post(f"/orgs/{org.pk}/approve/", {"next": f"/orgs/{org.pk}/"})
    assert response["Location"] == f"/orgs/{org.pk}/"
