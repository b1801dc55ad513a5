"""A facility's fields, several of each: industry codes (GB/T 4754), disciplines (GB/T 13745) and industry-chain
links. Saving and auditing them, the list filters, matching services to an engagement on any code, the API,
the Excel export, and the figures, where a facility counts once per chain link (and once in the total)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from facility_helpers import facility_data
from factories import OrganizationFactory, make_broker, make_org_admin
from openpyxl import load_workbook

from techmarket.analytics import compute, indicators
from techmarket.analytics.compute import Filters
from techmarket.analytics.periods import Period
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.engagements.models import Engagement, Stage
from techmarket.engagements.services import engagement_open
from techmarket.facilities import selectors, services
from techmarket.facilities.export import facilities_xlsx
from techmarket.facilities.models import Facility
from techmarket.needs.models import Need
from techmarket.reference.models import ChainNode, Discipline, Industry, IndustryChain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    steel = IndustryChain.objects.create(name="高端不锈钢")
    midstream = ChainNode.objects.create(chain=steel, name="中游")
    rolling = ChainNode.objects.create(chain=steel, parent=midstream, name="精密带材轧制")
    smelting = ChainNode.objects.create(chain=steel, parent=midstream, name="不锈钢冶炼")
    downstream = ChainNode.objects.create(chain=steel, name="下游")
    hardware = ChainNode.objects.create(chain=steel, parent=downstream, name="厨卫五金")
    food = IndustryChain.objects.create(name="绿色果蔬加工")
    fresh = ChainNode.objects.create(chain=food, name="预冷保鲜")
    return {
        "steel": steel, "midstream": midstream, "rolling": rolling, "smelting": smelting,
        "hardware": hardware, "food": food, "fresh": fresh,
    }  # fmt: skip


def _with_fields(facility, user, **fields):
    return services.facility_update(facility=facility, acting_user=user, data=fields)


def test_several_codes_and_links_are_saved_audited_and_unknown_ones_refused(university, uni_admin, chain):
    centre = services.facility_create(
        acting_user=uni_admin,
        owner=university,
        data=facility_data(
            industries=[Industry.objects.get(pk="31"), "33"],
            disciplines=["430"],
            chain_nodes=[chain["rolling"], chain["hardware"].pk],
        ),
    )
    assert sorted(centre.industries.values_list("pk", flat=True)) == ["31", "33"]
    assert list(centre.disciplines.values_list("pk", flat=True)) == ["430"]
    assert set(centre.chain_nodes.all()) == {chain["rolling"], chain["hardware"]}
    created = AuditLog.objects.get(action="facilities.facility.create")
    assert created.after["industries"] == ["31", "33"] and created.after["disciplines"] == ["430"]

    with pytest.raises(ValidationError) as exc:
        _with_fields(centre, uni_admin, industries=["31", "99x"], chain_nodes=[987654])
    assert "行业代码不存在：99x" in exc.value.message_dict["industries"][0]
    assert "产业链环节不存在：987654" in exc.value.message_dict["chain_nodes"][0]
    assert sorted(centre.industries.values_list("pk", flat=True)) == ["31", "33"]  # nothing half-saved

    before = AuditLog.objects.count()
    _with_fields(centre, uni_admin, industries=["33", "31"])  # the same codes in another order
    assert AuditLog.objects.count() == before
    _with_fields(centre, uni_admin, industries=["31"], chain_nodes=[chain["fresh"]])
    update = AuditLog.objects.get(action="facilities.facility.update")
    assert update.before == {
        "industries": ["31", "33"],
        "chain_nodes": sorted([chain["rolling"].pk, chain["hardware"].pk]),
    }
    assert update.after == {"industries": ["31"], "chain_nodes": [chain["fresh"].pk]}
    assert list(centre.disciplines.values_list("pk", flat=True)) == ["430"]  # not in the data: kept


def test_the_list_filters_on_any_code_and_link_and_lists_a_facility_once(
    centre, instrument, uni_admin, ent_user, chain, client
):
    _with_fields(
        centre,
        uni_admin,
        industries=["3110", "3120", "13"],
        chain_nodes=[chain["rolling"], chain["smelting"]],
    )
    _with_fields(instrument, uni_admin, industries=["31"], chain_nodes=[chain["hardware"]])

    def names(**filters):
        return sorted(f.name for f in selectors.facility_list_visible_to(ent_user, **filters))

    assert names(industry="31") == sorted([centre.name, instrument.name])  # a division finds finer codes
    assert names(industry="13") == [centre.name]  # the third code counts as much as the first
    assert names(industry="C") == sorted([centre.name, instrument.name])  # a section letter
    assert names(chain_node=chain["rolling"].pk) == [centre.name]
    assert names(chain_node=chain["midstream"].pk) == [centre.name]  # two sub-links, listed once
    assert names(chain_node=chain["fresh"].pk) == []
    assert [
        s.facility for s in selectors.services_visible_to(ent_user, industry="13")
    ] == []  # no services yet

    page = client.get(reverse("facilities:list"), {"chain_node": chain["midstream"].pk}).content.decode()
    assert centre.name in page and instrument.name not in page
    page = client.get(reverse("facilities:list"), {"industry": "13"}).content.decode()
    assert centre.name in page and instrument.name not in page
    detail = client.get(reverse("facilities:detail", args=[centre.pk])).content.decode()
    assert "精密带材轧制" in detail and "不锈钢冶炼" in detail and "农副食品加工业" in detail


def test_the_form_saves_several_fields(client, university, uni_admin, chain):
    client.force_login(uni_admin)
    response = client.post(
        reverse("facilities:create"),
        {
            "name": "沂蒙科技大学中试基地", "kind": "pilot", "owner": university.pk, "region": "371302",
            "summary": "新材料工艺放大与小批量试产。", "capacity": 8, "contact_name": "李工",
            "contact_phone": "0539-1234567", "equipment": "", "industries": ["31", "33"],
            "disciplines": ["430", "450"], "chain_nodes": [chain["rolling"].pk, chain["smelting"].pk],
        },
    )  # fmt: skip
    assert response.status_code == 302
    facility = Facility.objects.unscoped().get(name="沂蒙科技大学中试基地")
    assert sorted(facility.industries.values_list("pk", flat=True)) == ["31", "33"]
    assert sorted(facility.disciplines.values_list("pk", flat=True)) == ["430", "450"]
    assert facility.chain_nodes.count() == 2
    edit = client.get(reverse("facilities:edit", args=[facility.pk])).content.decode()
    assert 'name="industries"' in edit and "multiple" in edit


def test_the_api_lists_every_code_and_keeps_the_single_fields_for_old_clients(
    client, centre, instrument, uni_admin, chain
):
    _with_fields(
        centre, uni_admin, industries=["33", "31"], disciplines=["450"], chain_nodes=[chain["rolling"]]
    )
    rows = client.get("/api/facilities", {"industry": "33"}).json()["items"]
    assert [r["id"] for r in rows] == [centre.pk]
    row = rows[0]
    assert row["industries"] == ["31", "33"] and row["disciplines"] == ["450"]
    assert row["chain_node_ids"] == [chain["rolling"].pk]
    assert row["industry"] == "31" and row["chain_node_id"] == chain["rolling"].pk  # deprecated: the first
    other = client.get(f"/api/facilities/{instrument.pk}").json()
    assert other["industries"] == [] and other["industry"] is None and other["chain_node_id"] is None
    by_node = client.get("/api/facilities", {"chain_node": chain["midstream"].pk}).json()["items"]
    assert [r["id"] for r in by_node] == [centre.pk]


def test_the_export_puts_every_code_and_link_in_its_cell(centre, uni_admin, ent_user, chain):
    _with_fields(
        centre, uni_admin, industries=["33", "31"], disciplines=["450", "430"],
        chain_nodes=[chain["rolling"], chain["fresh"]],
    )  # fmt: skip
    book = load_workbook(io.BytesIO(facilities_xlsx(selectors.facility_list_visible_to(ent_user), [])))
    sheet = book["服务平台"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["服务行业代码"] == "31；33" and row["学科代码"] == "430；450"
    assert row["产业链环节"] == "高端不锈钢 · 精密带材轧制；绿色果蔬加工 · 预冷保鲜"


def test_services_match_an_engagement_on_any_code_and_the_chain_link_first(
    centre, uni_admin, university, enterprise, chain
):
    def centre_of(name):
        org = OrganizationFactory(name=name)
        admin = make_org_admin(org)
        facility = services.facility_create(
            acting_user=admin, owner=org, data=facility_data(name=f"{name}概念验证中心")
        )
        services.facility_service_save(
            facility=facility, acting_user=admin,
            data={"name": "原理验证", "kind": "principle", "unit": "项", "lead_time_days": 10},
        )  # fmt: skip
        return facility, admin

    plain, _a = centre_of("甲研究院")
    by_code, admin_b = centre_of("乙研究院")
    by_link, admin_c = centre_of("丙研究院")
    # the need's division (31) is the second code of 乙; 丙 serves the need's chain link
    _with_fields(by_code, admin_b, industries=["13", "3120"])
    _with_fields(by_link, admin_c, chain_nodes=[chain["fresh"], chain["rolling"]])
    need = Need.objects.create(
        owner=enterprise, title="不锈钢带材表面缺陷", summary="摘要", problem="难题",
        industry=Industry.objects.get(pk="3110"), chain_node=chain["rolling"], region=centre.region,
        status=ListingStatus.PUBLISHED,
    )  # fmt: skip
    broker = make_broker()
    engagement = engagement_open(
        acting_user=broker, title="带材表面处理验证", demand_org=enterprise, supply_org=university, need=need
    )
    Engagement.objects.unscoped().filter(pk=engagement.pk).update(stage=Stage.VERIFICATION)
    engagement.refresh_from_db()
    rows = selectors.services_for_engagement(broker, engagement)
    assert [s.facility for s, _r in rows] == [by_link, by_code, plain]
    reasons = {s.facility: r for s, r in rows}
    assert "服务同一产业链环节“精密带材轧制”" in reasons[by_link]
    assert "同属行业大类 31" in reasons[by_code] and "产业链" not in reasons[by_code]
    assert "同属行业大类" not in reasons[plain]
    # a facility on the need's segment (中游) is next to one on the link itself
    _with_fields(by_code, admin_b, chain_nodes=[chain["midstream"]])
    rows = selectors.services_for_engagement(broker, engagement)
    assert "上下级" in dict((s.facility, r) for s, r in rows)[by_code]


def test_figures_count_a_facility_once_per_chain_link_and_once_in_the_total(
    centre, instrument, uni_admin, chain
):
    _with_fields(
        centre, uni_admin, industries=["3110", "3120", "13"],
        chain_nodes=[chain["rolling"], chain["smelting"], chain["fresh"]],
    )  # fmt: skip
    _with_fields(instrument, uni_admin, industries=["31"], chain_nodes=[chain["rolling"]])
    registered = indicators.get("facilities.registered")
    flt = Filters(period=Period.year_to_date())
    assert compute.total(registered, flt) == 2
    # centre: 3110 and 3120 are one division (31), 13 another; instrument: 31
    assert compute.by_industry(registered, flt) == [
        ("31", "黑色金属冶炼和压延加工业", 2),
        ("13", "农副食品加工业", 1),
    ]
    assert dict((name, v) for _pk, name, v in compute.by_chain(registered, flt)) == {
        "高端不锈钢": 2,  # the centre's two links of this chain: once
        "绿色果蔬加工": 1,
    }
    nodes = compute.by_chain_node(registered, chain["steel"], flt)
    assert nodes[chain["rolling"].pk] == 2 and nodes[chain["smelting"].pk] == 1
    assert nodes[chain["midstream"].pk] == 2  # the segment: centre (two sub-links) once, instrument once
    assert chain["hardware"].pk not in nodes
    in_chain = Filters(period=Period.year_to_date(), chain=chain["food"].pk)
    assert compute.total(registered, in_chain) == 1
    # a booking counts through its facility in the same way
    bookings = indicators.get("facilities.bookings")
    assert compute.total(bookings, flt) == 0


def test_every_discipline_and_industry_draws_reviewers(centre, uni_admin, operator):
    from techmarket.challenges import panels
    from techmarket.experts.models import Expert
    from techmarket.facilities import recognition as rec

    _with_fields(centre, uni_admin, industries=["13", "31"], disciplines=["450"])
    org = OrganizationFactory(name="评审单位")
    by_industry = Expert.objects.create(
        name="冶金专家", affiliation=org, research_fields="冶金", panel_eligible=True
    )
    by_industry.industries.set(["3120"])
    by_discipline = Expert.objects.create(
        name="冶金学者", affiliation=org, research_fields="冶金工程", panel_eligible=True
    )
    by_discipline.disciplines.set([Discipline.objects.get(pk="450")])
    unrelated = Expert.objects.create(
        name="化学家", affiliation=org, research_fields="化学", panel_eligible=True
    )
    unrelated.industries.set(["26"])
    r = rec.recognition_apply(
        facility=centre, acting_user=uni_admin,
        statement="中心建成两年，已为 40 余家企业提供原理验证和样机试制服务，设备开放共享。",
    )  # fmt: skip
    panel = rec.recognition_panel_create(recognition=r, acting_user=operator, criteria="服务能力 1")
    proposed, _excluded = panels.panel_candidates(panel)
    found = {c.expert: c.why for c in proposed}
    assert set(found) == {by_industry, by_discipline}
    assert found[by_industry] == ["研究领域与平台的服务行业/学科相同"]
