"""Keyword search, filters and conflict-of-interest checks on experts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from factories import OrganizationFactory

from techmarket.experts.models import Availability, Expert
from techmarket.experts.selectors import (
    conflicts_of_interest,
    expert_list_visible_to,
    related_expert_conflicts,
)
from techmarket.orgs.models import Organization
from techmarket.reference.models import Discipline, Industry, Region

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


@pytest.fixture
def pool(expert, university):
    jinan = OrganizationFactory(
        name="山东省科学院", kind=Organization.Kind.INSTITUTE, region=Region.objects.get(pk="370102")
    )
    zhao = Expert.objects.create(
        name="赵明",
        affiliation=jinan,
        research_fields="智能焊接机器人视觉",
        bio="曾任不锈钢企业技术总监",
        availability=[Availability.CHALLENGE],
        panel_eligible=True,
    )
    zhao.disciplines.set([Discipline.objects.get(pk="460")])
    zhao.industries.set([Industry.objects.get(pk="3311")])
    expert.disciplines.set([Discipline.objects.get(pk="150")])
    expert.industries.set([Industry.objects.get(pk="384")])
    return {"wang": expert, "zhao": zhao, "jinan": jinan}


def names(qs):
    return sorted(e.name for e in qs)


def test_keyword_matches_substrings_of_name_research_fields_and_bio(pool):
    assert names(expert_list_visible_to(ANON, q="锂电池")) == ["王立新"]  # inside 磷酸铁锂电池正极材料
    assert names(expert_list_visible_to(ANON, q="不锈钢")) == ["赵明"]  # only in bio
    assert names(expert_list_visible_to(ANON, q="赵")) == ["赵明"]
    assert names(expert_list_visible_to(ANON, q="机器人 视觉")) == ["赵明"]  # every term must match
    assert names(expert_list_visible_to(ANON, q="机器人 锂电池")) == []


def test_filters_by_discipline_industry_availability_panel_region_and_affiliation(pool, university):
    assert names(expert_list_visible_to(ANON, discipline="150")) == ["王立新"]
    assert names(expert_list_visible_to(ANON, industry="38")) == ["王立新"]  # parent code of 384
    assert names(expert_list_visible_to(ANON, industry="C")) == ["王立新", "赵明"]  # section
    assert names(expert_list_visible_to(ANON, industry="33")) == ["赵明"]  # two levels above 3311
    assert names(expert_list_visible_to(ANON, industry="331")) == ["赵明"]
    assert names(expert_list_visible_to(ANON, discipline="460")) == ["赵明"]
    assert names(expert_list_visible_to(ANON, availability="review")) == ["王立新"]
    assert names(expert_list_visible_to(ANON, availability="challenge")) == ["赵明"]
    assert names(expert_list_visible_to(ANON, panel_eligible=True)) == ["赵明"]
    assert names(expert_list_visible_to(ANON, panel_eligible=False)) == ["王立新"]
    assert names(expert_list_visible_to(ANON, region="370000")) == ["王立新", "赵明"]
    assert names(expert_list_visible_to(ANON, region="371300")) == ["王立新"]
    assert names(expert_list_visible_to(ANON, region="370100")) == ["赵明"]
    assert names(expert_list_visible_to(ANON, affiliation=university.pk)) == ["王立新"]


def test_api_list_applies_search_and_filters(pool, client):
    body = client.get("/api/experts", {"q": "机器人", "panel_eligible": "true", "region": "370000"}).json()
    assert body["count"] == 1 and body["items"][0]["name"] == "赵明"
    assert body["items"][0]["industries"] == ["3311"]
    assert client.get("/api/experts", {"availability": "review"}).json()["count"] == 1


def test_conflicts_of_interest_names_affiliation_and_declared_organisations(pool, university):
    wang, jinan = pool["wang"], pool["jinan"]
    declared, unrelated = OrganizationFactory(), OrganizationFactory()
    wang.related_organizations.set([declared])
    conflicts = conflicts_of_interest(wang, [university, declared, unrelated, jinan])
    assert [(c.organization, c.reason) for c in conflicts] == [
        (university, "affiliation"),
        (declared, "declared"),
    ]
    assert conflicts_of_interest(wang, [unrelated, jinan]) == []


def test_declared_collaborators_conflict_both_ways(pool):
    wang, zhao = pool["wang"], pool["zhao"]
    other = Expert.objects.create(name="李青", affiliation=pool["jinan"], research_fields="食品")
    wang.related_experts.set([zhao])
    assert related_expert_conflicts(wang, [zhao, other]) == [zhao]
    assert related_expert_conflicts(zhao, [wang, other]) == [wang]
