"""Who sees an engagement: its parties and the operators, nobody else (engagements.selectors)."""

import pytest
from django.http import Http404
from engagement_items import make_engagement, make_parties, member_of
from factories import OrganizationFactory, UserFactory, make_broker

from techmarket.engagements.models import EngagementProvider, ProviderRole
from techmarket.engagements.selectors import (
    engagement_get_visible,
    engagement_list_visible_to,
    is_party_organization,
    is_party_user,
)

pytestmark = pytest.mark.django_db


def test_parties_and_operators_see_the_engagement_and_outsiders_do_not(operator):
    p = make_parties()
    e = make_engagement(demand=p["demand"], supply=p["supply"], broker=p["broker"])
    assistant = make_broker()
    e.assisting_brokers.add(assistant)
    bank = OrganizationFactory(name="临商银行科技支行")
    banker = member_of(bank)
    EngagementProvider.objects.create(engagement=e, organization=bank, role=ProviderRole.BANK)
    for who in (operator, p["broker"], assistant, p["enterprise_user"], p["university_user"], banker):
        assert list(engagement_list_visible_to(who)) == [e]
        assert engagement_get_visible(who, e.pk) == e
    for outsider in (UserFactory(), make_broker(), member_of(OrganizationFactory())):
        assert not engagement_list_visible_to(outsider).exists()
        with pytest.raises(Http404):
            engagement_get_visible(outsider, e.pk)


def test_party_helpers_name_the_organisations_and_people_taking_part(operator):
    p = make_parties()
    e = make_engagement(demand=p["demand"], supply=p["supply"], broker=p["broker"])
    assert is_party_organization(e, p["demand"]) and is_party_organization(e, p["supply"].pk)
    assert not is_party_organization(e, OrganizationFactory())
    assert is_party_user(p["enterprise_user"], e) and is_party_user(p["broker"], e)
    assert not is_party_user(operator, e)
