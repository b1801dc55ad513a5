"""Contracts on the bureau's dashboard beyond counts and amounts: the breakdowns by contract type and by the
buyer's and the seller's kind of organisation, 本地转化 (local 技术交易额 ÷ the platform region's sellers'),
and the broker / institution panel, against a hand-built fixture (refused, unregistered, other months and
sellers outside the region must not count)."""

import datetime
import io
from decimal import Decimal

import pytest
from contracts.conftest import contract_type, make_contract, outside_party
from engagements.engagement_items import make_engagement
from factories import OrganizationFactory, make_broker, make_bureau, make_operator
from openpyxl import load_workbook

from techmarket.analytics import compute, evaluations, facts, indicators, selectors, tables
from techmarket.analytics.compute import Filters
from techmarket.analytics.periods import Month, Period
from techmarket.audit.models import AuditLog
from techmarket.contracts import services
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db

MARCH = Filters(period=Period(Month(2026, 3), Month(2026, 3)))
CONTRACT_KEYS = [ind.key for ind in indicators.all_indicators() if ind.key.startswith("contracts.")]


def _register(contract, operator, day):
    services.contract_move(contract=contract, action="submit", acting_user=operator)
    return services.contract_move(
        contract=contract, action="register", acting_user=operator, registration_number=f"R{contract.pk}",
        registered_on=day,
    )  # fmt: skip


@pytest.fixture
def deals():
    operator = make_operator()
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, name="临沂测试大学")  # 371302
    enterprise = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="临沂测试不锈钢有限公司")
    broker = make_broker()
    engagement = make_engagement(demand=enterprise, supply=university, broker=broker)
    beijing_buyer = outside_party("buyer", name="北京某科技有限公司", region="110108")
    beijing_seller = outside_party("seller", name="北京某研究所", region="110108", kind="institute", n=2)

    def contract(seller, buyer, total, **kw):
        return make_contract(seller=seller, buyer=buyer, acting_user=operator, total=total, **kw)

    # Registered in March 2026:
    local = contract(
        university, enterprise, "1000000.00", deductions=[("设备", "150000")], engagement=engagement
    )
    _register(local, operator, datetime.date(2026, 3, 20))  # 技术交易额 85 万, local seller and buyer
    away = contract(university, beijing_buyer, "500000.00", contract_type=contract_type("专利权转让"))
    _register(away, operator, datetime.date(2026, 3, 25))  # local seller, buyer in Beijing
    bought_in = contract(beijing_seller, enterprise, "300000.00", contract_type=contract_type("技术服务"))
    _register(bought_in, operator, datetime.date(2026, 3, 10))  # seller outside: not in 本地转化 at all
    # Never in March's registered figures: refused, only signed, registered in April.
    refused = contract(university, enterprise, "9000000.00")
    services.contract_move(contract=refused, action="submit", acting_user=operator)
    services.contract_move(contract=refused, action="refuse", acting_user=operator, reason="不属于技术合同")
    contract(university, enterprise, "2000000.00")
    april = contract(university, enterprise, "400000.00")
    _register(april, operator, datetime.date(2026, 4, 1))
    # February (环比 base): all local.
    february = contract(university, enterprise, "100000.00", signed_on=datetime.date(2026, 2, 1))
    _register(february, operator, datetime.date(2026, 2, 27))
    return {"university": university, "enterprise": enterprise, "broker": broker, "operator": operator}


def _breakdown(key, view, flt=MARCH):
    ind = indicators.get(key)
    found = next(b for b in ind.breakdowns if b.key == view)
    return [(name, value) for _k, name, value in compute.by_breakdown(ind, found, flt)]


def test_registered_contracts_break_down_by_type_and_by_buyer_and_seller_kind(deals):
    assert _breakdown("contracts.registered", "type") == [("技术开发", 1), ("技术服务", 1), ("技术转让", 1)]
    assert _breakdown("contracts.technical_amount", "type") == [
        ("技术开发", Decimal("85.00")),
        ("技术转让", Decimal("50.00")),
        ("技术服务", Decimal("30.00")),
    ]
    assert _breakdown("contracts.registered", "buyer_kind") == [("企业", 3)]
    assert _breakdown("contracts.amount", "seller_kind") == [
        ("高校", Decimal("150.00")),
        ("科研院所", Decimal("30.00")),
    ]
    # Signed (not refused) in March: the three registered, the unregistered one and April's registration.
    assert sum(v for _n, v in _breakdown("contracts.signed", "seller_kind")) == 5
    # The region filter (the buyer's) applies: Linyi's buyers leave the Beijing buyer out.
    linyi = Filters(period=MARCH.period, region="371300")
    assert _breakdown("contracts.registered", "type", linyi) == [("技术开发", 1), ("技术服务", 1)]


def test_local_conversion_share_with_its_comparisons(deals):
    heads = compute.headlines([indicators.get(k) for k in CONTRACT_KEYS], MARCH)
    cell = compute.ratio_headline(indicators.get_ratio("contracts.local_share"), heads)
    assert heads["contracts.local_technical"]["total"] == Decimal("85.00")
    assert heads["contracts.regional_seller_technical"]["total"] == Decimal("135.00")  # 85 + 50, not 30
    assert cell["total"] == Decimal("63.0")  # 85 / 135
    assert cell["previous"] == Decimal("100.0")  # February: all local
    assert cell["mom"] == Decimal("-37.0")  # percentage points
    assert cell["year_before"] is None and cell["yoy"] is None  # nothing in March 2025
    assert cell["cumulative"] == Decimal("65.5")  # (85 + 10) / (135 + 10) up to the end of March
    # The same as the contracts app's own figure over the same contracts.
    from techmarket.contracts import figures
    from techmarket.contracts.models import TechContract

    march = figures.figures_queryset(
        TechContract.objects.unscoped(), start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31)
    )
    assert figures.compute(march).local_share == cell["total"]
    # Filtered by the seller's region: a region with no platform sellers has no share.
    beijing = Filters(period=MARCH.period, region="110000")
    data = selectors.dashboard(make_bureau(), beijing)
    assert data["ratios"]["contracts"][0]["total"] is None
    table = tables.ratio_table(indicators.get_ratio("contracts.local_share"), MARCH)
    assert table.rows == [["2026年3月", Decimal("85.00"), Decimal("135.00"), Decimal("63.0")]] + [
        ["合计", Decimal("85.00"), Decimal("135.00"), Decimal("63.0")]
    ]


def test_contract_figures_from_facts_equal_the_live_ones(deals):
    flts = [MARCH, Filters(period=Period(Month(2026, 1), Month(2026, 6)), region="371300")]

    def everything():
        out = {}
        for key in CONTRACT_KEYS:
            ind = indicators.get(key)
            for flt in flts:
                out[(key, flt)] = (
                    compute.headline(ind, flt),
                    compute.series(ind, flt),
                    compute.by_region(ind, flt),
                    compute.by_industry(ind, flt),
                )
        return out

    assert all(facts.factable(indicators.get(k)) for k in CONTRACT_KEYS)
    with facts.live():
        expected = everything()
    assert everything() == expected


def test_broker_and_institution_leaders_count_the_registered_contracts_they_brought(deals):
    march = MARCH.period
    metrics, brokers = evaluations.leaders("broker", march)
    column = [m.key for m in metrics].index("contracts.technical_by_broker")
    assert [(r["subject"], r["values"][column]) for r in brokers] == [(deals["broker"], Decimal("85.00"))]
    assert brokers[0]["name"] == deals["broker"].real_name != deals["broker"].username  # named as people are
    metrics, research = evaluations.leaders("research", march)
    column = [m.key for m in metrics].index("contracts.technical_sold")
    row = next(r for r in research if r["subject"] == deals["university"])
    assert row["values"][column] == Decimal("135.00")  # 85 + 50; refused, unregistered and April left out
    metrics, service = evaluations.leaders("service", march)
    column = [m.key for m in metrics].index("contracts.technical_by_broker_org")
    assert [r["values"][column] for r in service] == [Decimal("85.00")]


def _on_a_chain(deals):
    """The broker's engagement answered a need on a chain node: its contract is that chain's work."""
    from matching.matching_items import make_need

    from techmarket.engagements.models import Engagement
    from techmarket.reference.models import ChainNode, IndustryChain

    chain = IndustryChain.objects.create(name="不锈钢产业链")
    other = IndustryChain.objects.create(name="电子信息产业链")
    node = ChainNode.objects.create(chain=chain, name="冷轧")
    need = make_need(deals["enterprise"], chain_node=node)
    engagement = Engagement.objects.unscoped().get(lead_broker=deals["broker"])
    engagement.need = need
    engagement.save()
    return chain, other


def test_leaders_honour_the_region_and_chain_filters(deals):
    """Region: the members located there (an institution's region, a broker's institution's); chain: only the
    work on that chain's items, with the metrics that can tell (others are left out of the panel)."""
    march = MARCH.period
    broker_org = deals["broker"].memberships.get().organization  # a service institution in 371302 (兰山)
    assert broker_org.region_id == "371302"

    for region, expected in (
        ("", True),
        ("370000", True),
        ("371300", True),
        ("371302", True),
        ("370100", False),
    ):
        metrics, rows = evaluations.leaders("broker", march, region=region)
        assert (deals["broker"] in [r["subject"] for r in rows]) is expected, region
        _m, research = evaluations.leaders("research", march, region=region)
        assert (deals["university"] in [r["subject"] for r in research]) is expected, region
    # A broker's region is their institution's: moved to 济南, the broker leaves 临沂's panel.
    broker_org.region_id = "370102"
    broker_org.save()
    assert evaluations.leaders("broker", march, region="371300")[1] == []
    assert [r["subject"] for r in evaluations.leaders("broker", march, region="370100")[1]] == [
        deals["broker"]
    ]

    chain, other = _on_a_chain(deals)
    metrics, rows = evaluations.leaders("broker", march, chain=chain.pk)
    assert metrics and all(m.by_chain for m in metrics)
    assert not {m.key for m in evaluations.metrics_for("broker") if not m.by_chain} & {m.key for m in metrics}
    column = [m.key for m in metrics].index("contracts.technical_by_broker")
    assert [(r["subject"], r["values"][column]) for r in rows] == [(deals["broker"], Decimal("85.00"))]
    _m, research = evaluations.leaders("research", march, chain=chain.pk)
    column = [m.key for m in _m].index("contracts.technical_sold")
    row = next(r for r in research if r["subject"] == deals["university"])
    assert row["values"][column] == Decimal("85.00")  # the Beijing sale had no engagement: not this chain's
    assert evaluations.leaders("broker", march, chain=other.pk)[1] == []
    assert evaluations.leaders("service", march, chain=other.pk)[1] == []


def test_the_leaders_panel_and_api_take_the_dashboards_filters(client, deals):
    chain, other = _on_a_chain(deals)
    client.force_login(make_bureau())
    broker_name = evaluations.subject("broker").name(deals["broker"])
    query = "start=2026-03&end=2026-03"
    for extra, shown in (
        ("&region=371300", True),
        ("&region=370100", False),
        (f"&chain={chain.pk}", True),
        (f"&region=371300&chain={other.pk}", False),
    ):
        page = client.get(f"/analytics/?leaders=1&{query}{extra}").content.decode()
        assert "技术经纪人与机构" in page
        assert broker_name not in page  # the panels load their tables separately
        assert f'hx-get="/analytics/leaders/broker/?{query.replace("&", "&amp;")}' in page, extra
        panel = client.get(f"/analytics/leaders/broker/?{query}{extra}").content.decode()
        assert (broker_name in panel) is shown, extra
        api = client.get(f"/api/statistics/leaders/broker?{query}{extra}").json()
        assert bool(api["rows"]) is shown, extra
        assert api["filters"]["start"] == "2026-03"
        response = client.get(f"/analytics/export.xlsx?table=leaders&subject=broker&{query}{extra}")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert any(broker_name in (row[0] or "") for row in rows if row) is shown, extra
    api = client.get(f"/api/statistics/leaders/broker?{query}&chain={chain.pk}").json()
    assert "contracts.technical_by_broker" in api["metrics"]
    assert "matching.recommendations" not in api["metrics"]  # not tied to a chain: left out
    assert api["filters"]["chain"] == str(chain.pk)
    region = client.get(f"/api/statistics/leaders/research?{query}&region=371300").json()
    assert [r["name"] for r in region["rows"]] == [deals["university"].name]
    assert client.get(f"/api/statistics/leaders/research?{query}&region=370100").json()["rows"] == []


def test_bureau_sees_the_breakdowns_share_and_leaders_and_downloads_them(client, deals):
    bureau = make_bureau()
    client.force_login(bureau)
    query = "start=2026-03&end=2026-03"
    assert "查看技术经纪人与机构排名" in client.get(f"/analytics/?{query}").content.decode()
    page = client.get(f"/analytics/?leaders=1&indicator=contracts.technical_amount&{query}").content.decode()
    broker_name = evaluations.subject("broker").name(deals["broker"])
    for text in (
        "按合同类别",
        "按买方类型",
        "按卖方类型",
        "本地转化率",
        "63.0",
        "-37.0",
        "技术经纪人与机构",
        "/analytics/leaders/broker/?",
    ):
        assert text in page, text
    assert (
        broker_name
        in client.get(f"/analytics/leaders/broker/?{query}", HTTP_HX_REQUEST="true").content.decode()
    )
    for table, extra, first in (
        ("type", "&indicator=contracts.technical_amount", "技术交易额 · 按合同类别"),
        ("ratio", "&ratio=contracts.local_share", "本地转化率 · 按月"),
        ("leaders", "&subject=broker", "技术经纪人 · 前十名"),
    ):
        response = client.get(f"/analytics/export.xlsx?table={table}{extra}&{query}")
        assert response.status_code == 200, table
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert rows[0][0].startswith(first), rows[0]
    assert AuditLog.objects.filter(action="analytics.export", actor=bureau).count() == 3
    assert client.get(f"/analytics/export.xlsx?table=ratio&ratio=nope&{query}").status_code == 404
    assert client.get(f"/analytics/export.xlsx?table=leaders&subject=nope&{query}").status_code == 404
    assert client.get("/analytics/export.xlsx?table=type&indicator=needs.published").status_code == 404

    figures = client.get(f"/api/statistics/figures?{query}").json()
    share = next(r for r in figures["ratios"] if r["key"] == "contracts.local_share")
    assert share["total"] == "63.0" and share["mom"] == "-37.0"
    one = client.get(f"/api/statistics/indicators/contracts.registered?{query}").json()
    assert {p["label"]: p["value"] for p in one["by"]["seller_kind"]} == {"高校": 2, "科研院所": 1}
    listed = {i["key"]: i for i in client.get("/api/statistics/indicators").json()}
    assert "buyer_kind" in listed["contracts.amount"]["breakdowns"]
    leaders = client.get(f"/api/statistics/leaders/broker?{query}").json()
    assert (
        leaders["rows"][0]["values"]["contracts.technical_by_broker"] == "85"
    )  # whole numbers without decimals, as in 绩效评价
    assert client.get("/api/statistics/leaders/nope").status_code == 404


def test_nobody_else_sees_the_leaders(client, deals):
    client.force_login(deals["broker"])
    assert client.get("/api/statistics/leaders/broker").status_code == 403
    assert client.get("/analytics/export.xlsx?table=leaders&subject=broker").status_code == 403
    assert client.get("/analytics/leaders/broker/").status_code == 403
    assert client.get("/analytics/leaders/broker/", HTTP_HX_REQUEST="true").status_code == 403
    client.logout()
    assert client.get("/analytics/leaders/broker/").status_code == 302  # to the login page


def test_the_dashboard_with_leaders_only_links_a_panel_per_subject(client, deals, monkeypatch):
    calls = []
    monkeypatch.setattr(tables, "leaders_table", lambda *a, **kw: calls.append(a))
    client.force_login(make_bureau())
    query = "start=2026-03&end=2026-03&region=371300"
    response = client.get(f"/analytics/?leaders=1&{query}")
    assert response.status_code == 200
    assert calls == []  # the page computes no ranking: each panel loads its own
    page = response.content.decode()
    assert page.count("正在加载排名……") == len(evaluations.PANEL_SUBJECTS)
    for key in evaluations.PANEL_SUBJECTS:
        url = f"/analytics/leaders/{key}/?{query.replace('&', '&amp;')}"
        assert f'hx-get="{url}" hx-trigger="load"' in page, key
        assert f'href="{url}"' in page, key  # the same panel as a page of its own, without JavaScript
        assert (
            f"/analytics/export.xlsx?table=leaders&amp;subject={key}&amp;{query.replace('&', '&amp;')}"
            in page
        )
        assert f"打开{evaluations.subject(key).label}排名" in page


@pytest.mark.parametrize("who", ["bureau", "operator"])
def test_the_leaders_panel_shows_the_subjects_table_within_the_filters(client, deals, who):
    chain, other = _on_a_chain(deals)
    client.force_login(make_bureau() if who == "bureau" else deals["operator"])
    march = Period(Month(2026, 3), Month(2026, 3))
    for subject in evaluations.PANEL_SUBJECTS:
        for flt in (
            Filters(period=march),
            Filters(period=march, region="371300"),
            Filters(period=march, region="370100"),
            Filters(period=march, chain=chain.pk),
            Filters(period=march, region="371300", chain=other.pk),
        ):
            query = "&".join(f"{k}={v}" for k, v in flt.as_query().items())
            response = client.get(f"/analytics/leaders/{subject}/?{query}", HTTP_HX_REQUEST="true")
            assert response.status_code == 200, (subject, query)
            expected = tables.leaders_table(subject, flt)
            assert response.context["table"].title == expected.title
            assert response.context["table"].columns == expected.columns
            assert response.context["table"].rows == expected.rows, (subject, query)
            page = response.content.decode()
            for row in expected.rows:
                assert row[0] in page
            if not expected.rows:
                assert f"所选期间和范围内没有{evaluations.subject(subject).label}的工作量记录。" in page
    # The fixture's broker and university lead within 临沂 and the chain, and nowhere else.
    broker_name = evaluations.subject("broker").name(deals["broker"])
    for query, shown in (
        ("region=371300", True),
        ("region=370100", False),
        (f"chain={chain.pk}", True),
        (f"chain={other.pk}", False),
    ):
        page = client.get(f"/analytics/leaders/broker/?start=2026-03&end=2026-03&{query}").content.decode()
        assert (broker_name in page) is shown, query
    research = client.get("/analytics/leaders/research/?start=2026-03&end=2026-03&region=371300")
    assert [row[0] for row in research.context["table"].rows] == [deals["university"].name]


def test_the_leaders_panel_is_a_card_for_htmx_and_a_page_otherwise(client, deals):
    client.force_login(make_bureau())
    url = "/analytics/leaders/broker/?start=2026-03&end=2026-03"
    broker_name = evaluations.subject("broker").name(deals["broker"])
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert [t.name for t in fragment.templates][0] == "analytics/_leaders_card.html"
    text = fragment.content.decode()
    assert "<html" not in text and broker_name in text
    assert 'id="leaders-broker"' in text  # replaces the dashboard's placeholder of the same id
    assert "/analytics/export.xlsx?table=leaders&amp;subject=broker&amp;start=2026-03&amp;end=2026-03" in text
    assert "HX-Request" in fragment["Vary"]
    page = client.get(url)
    assert [t.name for t in page.templates][0] == "analytics/leaders_panel.html"
    text = page.content.decode()
    assert "<html" in text and broker_name in text and "统计范围：2026年3月" in text
    assert 'href="/analytics/?leaders=1&amp;start=2026-03&amp;end=2026-03#leaders-title"' in text
    assert "返回数据统计" in text
    assert client.get("/analytics/leaders/nope/").status_code == 404
    assert client.get("/analytics/leaders/nope/", HTTP_HX_REQUEST="true").status_code == 404


def test_the_monthly_report_carries_the_share_and_the_contract_breakdowns(deals):
    from pypdf import PdfReader

    from techmarket.analytics import reports

    report = reports.generate(kind="month", month=Month(2026, 3))
    report.refresh_from_db()  # the snapshot as stored (JSON)
    share = next(h for h in report.snapshot["headlines"] if h["key"] == "contracts.local_share")
    assert share["total"] == "63.0" and share["mom"] == -37.0 and share["points"]
    more = {b["label"]: b["rows"] for b in report.snapshot["more"]}
    assert more["认定登记技术合同 · 按合同类别"] == [["技术开发", 1], ["技术服务", 1], ["技术转让", 1]]
    assert more["技术合同成交额 · 按卖方类型"] == [["高校", "150.00"], ["科研院所", "30.00"]]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "本地转化率" in text and "合同类别与买卖方类型" in text and "个百分点" in text
    sheets = load_workbook(io.BytesIO(report.xlsx.read())).sheetnames
    assert "合同类别与主体" in sheets


def test_leaders_rank_by_every_value_then_name_and_cut_at_the_limit(monkeypatch):
    """The panel ranks on the values alone and names only the members that can make the cut: a tie on the
    limit-th place is settled by name, members with no value and rows of non-members are left out."""
    from techmarket.analytics.evaluations import Metric, Subject

    orgs = {
        name: OrganizationFactory(kind=Organization.Kind.INSTITUTE, name=name)
        for name in ["机构甲", "机构C", "机构B", "机构D", "机构零"]
    }
    outsider = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="企业外")
    pk = {name: org.pk for name, org in orgs.items()}
    first = {pk["机构甲"]: 5, pk["机构C"]: 3, pk["机构B"]: 3, pk["机构D"]: 1, outsider.pk: 9}
    second = {pk["机构C"]: Decimal("1.50"), pk["机构B"]: Decimal("1.50"), pk["机构零"]: 0}
    subject = Subject(
        "ranked", "排名测试", lambda: Organization.objects.filter(kind=Organization.Kind.INSTITUTE), str
    )
    monkeypatch.setitem(evaluations._SUBJECTS, "ranked", subject)
    for key, vals in [("t.first", first), ("t.second", second)]:
        metric = Metric(key, "ranked", key, "项", lambda period, vals=vals: vals)
        monkeypatch.setitem(evaluations._METRICS, key, metric)
    march = MARCH.period

    def names(limit):
        return [(r["name"], r["values"]) for r in evaluations.leaders("ranked", march, limit=limit)[1]]

    assert names(2) == [("机构甲", [Decimal(5), Decimal(0)]), ("机构B", [Decimal(3), Decimal("1.50")])]
    assert [n for n, _v in names(3)] == ["机构甲", "机构B", "机构C"]
    assert [n for n, _v in names(10)] == [
        "机构甲",
        "机构B",
        "机构C",
        "机构D",
    ]  # 机构零: no value; 企业外: not one
    assert names(1) == [("机构甲", [Decimal(5), Decimal(0)])]
