"""Security review regressions: keyword search never turns odd user input into a server error."""

import pytest
from factories import OrganizationFactory

from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "a & | ! ( ) : * '",
    "'",
    "\\",
    "!!",
    "a:*",
    "a <-> b",
    "锂电池 & ! |",
    "x-1.2 -a- .b.",
    "(锂电",
    "%_%",
    "a" * 3000,
    "锂" * 500,
    "and or not",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_keyword_search_with_tsquery_syntax_characters_answers_normally(client, q):
    Need.objects.create(
        owner=OrganizationFactory(),
        title="磷酸铁锂电池正极材料",
        summary="公开摘要",
        problem="难题",
        visibility=Visibility.PUBLIC,
        status=ListingStatus.PUBLISHED,
    )
    api = client.get("/api/needs", {"q": q})
    assert api.status_code == 200, api.content[:300]
    page = client.get("/needs/", {"q": q})
    assert page.status_code == 200


def test_expert_search_with_a_nul_character_is_refused_cleanly(client):
    assert client.get("/api/experts", {"q": "锂\x00电"}).status_code == 400
