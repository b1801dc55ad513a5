"""Who sees the aggregates (bureau and operators only), the pages, the xlsx downloads and the API."""

import io

import pytest
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_bureau,
    make_operator,
)
from openpyxl import load_workbook

from techmarket.analytics.periods import Month
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need
from techmarket.orgs.models import Role
from techmarket.reference.models import ChainNode, IndustryChain

pytestmark = pytest.mark.django_db

PAGES = ["/analytics/", "/analytics/chains/", "/analytics/export.xlsx?table=headline"]
API = ["/api/statistics/indicators", "/api/statistics/figures", "/api/statistics/indicators/needs.published"]


def _enterprise_user():
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    return user


@pytest.mark.parametrize("make", [None, UserFactory, _enterprise_user, make_broker])
def test_nobody_but_bureau_and_operators_sees_aggregates(client, make):
    if make is not None:
        client.force_login(make())
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (302, 403), url  # anonymous: to the login page
    for url in API:
        assert client.get(url).status_code in (401, 403), url


@pytest.mark.parametrize("make", [make_bureau, make_operator])
def test_bureau_and_operator_open_every_page(client, make):
    client.force_login(make())
    now = Month.current()
    filtered = f"/analytics/?indicator=needs.published&start={now.shift(-23)}&end={now}&region=371300"
    for url in PAGES[:2] + [filtered]:
        assert client.get(url).status_code == 200, url
    for url in API:
        assert client.get(url).status_code == 200, url


def test_navigation_shows_the_statistics_only_to_those_who_may_see_them(client):
    client.force_login(_enterprise_user())
    assert 'href="/analytics/"' not in client.get("/").content.decode()
    client.force_login(make_bureau())
    assert 'href="/analytics/"' in client.get("/").content.decode()


def test_dashboard_shows_the_figures_with_their_tables(client):
    owner = OrganizationFactory()
    from django.utils import timezone

    Need.objects.create(
        owner=owner,
        title="轧制表面缺陷检测",
        summary="s",
        problem="p",
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    client.force_login(make_bureau())
    html = client.get("/analytics/?indicator=needs.published").content.decode()
    assert "征集技术需求" in html and "按月" in html and "analytics-data" in html
    assert 'id="chart-series"' in html and "<table" in html


def test_bad_filters_fall_back_to_the_defaults_with_a_message(client):
    client.force_login(make_bureau())
    html = client.get("/analytics/?start=2026-13").content.decode()
    assert "筛选条件有误" in html and "YYYY-MM" in html
    body = client.get("/api/statistics/figures?start=2026-05&end=2026-01").json()
    assert "不能早于" in body["error"]["message"]
    assert client.get("/api/statistics/indicators/no.such").status_code == 404


def test_xlsx_download_holds_the_table_and_is_audited(client):
    from django.utils import timezone

    Need.objects.create(
        owner=OrganizationFactory(),
        title='=HYPERLINK("x")',
        summary="s",
        problem="p",
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    bureau = make_bureau()
    client.force_login(bureau)
    response = client.get("/analytics/export.xlsx?table=series&indicator=needs.published")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("征集技术需求 · 按月")
    header = next(i for i, row in enumerate(rows) if row[0] == "月份")
    assert sum(row[1] for row in rows[header + 1 :]) == 1
    assert AuditLog.objects.filter(action="analytics.export", actor=bureau).exists()
    assert client.get("/analytics/export.xlsx?table=nonsense").status_code == 404


def test_chain_map_api_and_page_link_counts_to_the_filtered_list(client):
    from django.utils import timezone

    chain = IndustryChain.objects.create(name="绿色果蔬加工")
    top = ChainNode.objects.create(chain=chain, name="中游")
    node = ChainNode.objects.create(chain=chain, parent=top, name="预冷保鲜")
    Need.objects.create(
        owner=OrganizationFactory(),
        title="果蔬预冷",
        summary="s",
        problem="p",
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        chain_node=node,
    )
    client.force_login(make_bureau())
    body = client.get(f"/api/statistics/chains/{chain.pk}").json()
    by_name = {n["name"]: n for n in body["nodes"]}
    assert by_name["预冷保鲜"]["values"]["needs.published"] == 1
    assert by_name["预冷保鲜"]["gap"] == "no_supply"
    html = client.get(f"/analytics/chains/?chain={chain.pk}").content.decode()
    assert f"/needs/?chain_node={node.pk}" in html
    assert "有需求、无供给" in html


def test_every_statistics_endpoint_is_in_the_openapi_schema_with_the_dashboard_filters(client):
    """The statistics API is documented: each endpoint with its Chinese summary, the figures and leaders
    with the dashboard's period, region and chain filters."""
    paths = client.get("/api/openapi.json").json()["paths"]
    statistics = {path: ops["get"] for path, ops in paths.items() if path.startswith("/api/statistics/")}
    assert {
        "/api/statistics/indicators",
        "/api/statistics/figures",
        "/api/statistics/leaders/{subject}",
        "/api/statistics/chains/{chain_id}",
        "/api/statistics/targets",
        "/api/statistics/reports",
        "/api/statistics/evaluations/{scheme_id}",
    } <= set(statistics)
    assert all(op.get("summary") for op in statistics.values())
    for path in ("/api/statistics/figures", "/api/statistics/leaders/{subject}"):
        names = {p["name"] for p in statistics[path].get("parameters", [])}
        assert {"start", "end", "region", "chain"} <= names, (path, names)


def test_a_ratio_without_a_denominator_shows_a_dash_not_none(client):
    # No registered contract: the local conversion rate of every month is 0 ÷ 0, shown as "—".
    client.force_login(make_bureau())
    html = client.get("/analytics/").content.decode()
    assert 'id="contracts-local_share"' in html or "本地转化率" in html
    assert ">None<" not in html
    assert 'class="text-end">—</td>' in html


def test_the_month_inputs_show_the_period_the_figures_are_for(client):
    client.force_login(make_bureau())
    now = Month.current()
    first = Month(now.year, 1)
    html = client.get("/analytics/").content.decode()  # the default: this year to date
    assert f'name="start" value="{first}"' in html and f'name="end" value="{now}"' in html
    html = client.get("/analytics/?region=371300").content.decode()  # months left empty
    assert f'name="start" value="{first}"' in html and f'name="end" value="{now}"' in html
    html = client.get(f"/analytics/?start={now.shift(-5)}").content.decode()
    assert f'name="start" value="{now.shift(-5)}"' in html and f'name="end" value="{now}"' in html
