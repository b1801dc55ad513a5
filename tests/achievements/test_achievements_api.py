"""The achievements API: create, update, IP list, workflow actions, filters, and error bodies naming fields."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.achievements.models import Achievement, AchievementIP
from techmarket.audit.models import AuditLog
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

BODY = {
    "title": "磷酸铁锂电池正极材料低温改性技术",
    "summary": "-20℃ 放电容量保持率达 85%",
    "keywords": ["磷酸铁锂", "正极材料"],
    "discipline": "430",
    "industries": ["384"],
    "trl": 6,
    "stage": "pilot",
    "transfer_modes": ["ordinary_license"],
    "price_negotiable": True,
    "region": "371302",
    "confidential_detail": "烧结温度曲线",
    "ip_rights": [{"ip_type": "invention", "number": "ZL202310123456.6", "title": "一种正极材料的制备方法"}],
}


@pytest.fixture
def owner():
    org = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _create(client, org, **extra):
    response = _post(client, "/api/achievements", {**BODY, "owner_id": org.pk, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_update_ip_submit_publish_round_trip(owner, client):
    user, org = owner
    expert = Expert.objects.create(name="张华", affiliation=org, title="研究员", research_fields="电池材料")
    client.force_login(user)
    created = _create(client, org, team=[expert.pk])
    assert created["status"] == "draft" and created["stage_label"] == "中试"
    assert created["industry_ids"] == ["384"] and created["discipline_id"] == "430"
    assert created["ip_rights"][0]["number"] == "ZL202310123456.6"
    assert created["ip_rights"][0]["ip_type_label"] == "发明专利"
    assert created["team"] == [{"id": expert.pk, "name": "张华", "title": "研究员", "affiliation": org.name}]
    assert created["confidential_detail"] == "烧结温度曲线"
    url = f"/api/achievements/{created['id']}"

    patched = client.patch(url, {"trl": 7, "keywords": ["低温", "锂电池"]}, content_type="application/json")
    assert (
        patched.status_code == 200
        and patched.json()["trl"] == 7
        and patched.json()["keywords"] == ["低温", "锂电池"]
    )

    ip = client.put(
        url + "/ip",
        {
            "ip_rights": [
                {
                    "ip_type": "utility_model",
                    "number": "ＺＬ２０２３２０１２３４５６．１",
                    "title": "一种烧结炉",
                    "legal_status": "granted",
                    "expiry_date": "2033-06-30",
                },
                {"ip_type": "software", "number": "2023SR0123456", "title": "烧结控制软件"},
            ]
        },
        content_type="application/json",
    )
    assert ip.status_code == 200, ip.content
    assert [r["number"] for r in ip.json()["ip_rights"]] == ["ZL202320123456.1", "2023SR0123456"]

    assert _post(client, url + "/actions/submit", {}).json()["status"] == "pending"
    assert _post(client, url + "/actions/publish", {}).status_code == 403
    client.force_login(make_operator())
    published = _post(client, url + "/actions/publish", {"reason": ""})
    assert published.status_code == 200 and published.json()["status"] == "published"
    client.logout()
    found = client.get(
        "/api/achievements",
        {
            "q": "锂电池",
            "trl_min": 7,
            "transfer_mode": "ordinary_license",
            "stage": "pilot",
            "discipline": "430",
            "industry": "38",
        },
    ).json()
    assert [i["id"] for i in found["items"]] == [created["id"]] and found["count"] == 1
    assert client.get("/api/achievements", {"trl_max": 6}).json()["count"] == 0
    assert client.get(url).json()["confidential_detail"] is None
    actions = sorted(
        AuditLog.objects.filter(target_id=str(created["id"]), action__startswith="achievements.").values_list(
            "action", flat=True
        )
    )
    assert actions == sorted(
        [
            "achievements.achievement.create",
            "achievements.achievement.update",
            "achievements.achievement.ip_set",
            "achievements.achievement.submit",
            "achievements.achievement.publish",
            # the operator's publish response carried the confidential part: that read is audited
            "achievements.achievement.view_confidential",
        ]
    )


def test_bad_patent_number_returns_row_message_under_the_field_and_writes_nothing(owner, client):
    user, org = owner
    client.force_login(user)
    response = _post(
        client,
        "/api/achievements",
        {
            **BODY,
            "owner_id": org.pk,
            "ip_rights": [
                BODY["ip_rights"][0],
                {"ip_type": "invention", "number": "ZL202310123456.5", "title": "第二件"},
            ],
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"ip_rights": ["第 2 项知识产权：专利号 ZL202310123456.5 校验位错误（应为 6）"]}
    assert Achievement.objects.count() == 0 and AchievementIP.objects.count() == 0


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"summary": "<a href='x'>好</a>"}, "summary", "HTML 标签"),  # <b>, <br> … are stripped, not refused
        ({"trl": 12}, "trl", "1–9"),
        ({"trl": "很高"}, "trl", ""),  # not an integer: refused by the schema
        ({"transfer_modes": ["buyout"]}, "transfer_modes", "未知的转化方式"),
        ({"discipline": "999"}, "discipline", "不存在"),
        ({"industries": ["C99"]}, "industries", "行业代码不存在"),
    ],
)
def test_bad_input_returns_422_with_the_field_name(owner, client, extra, field, message):
    user, org = owner
    client.force_login(user)
    response = _post(client, "/api/achievements", {**BODY, "owner_id": org.pk, **extra})
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]
    assert field in fields and message in " ".join(fields[field])
    assert Achievement.objects.count() == 0


def test_submit_without_price_is_refused_by_field(owner, client):
    user, org = owner
    client.force_login(user)
    created = _create(client, org, price_negotiable=False)
    response = _post(client, f"/api/achievements/{created['id']}/actions/submit", {})
    assert response.status_code == 422
    assert "asking_price_wan" in response.json()["error"]["fields"]
    assert Achievement.objects.get(pk=created["id"]).status == "draft"


def test_ip_put_with_bad_rows_keeps_the_old_list(owner, client):
    user, org = owner
    client.force_login(user)
    created = _create(client, org)
    response = client.put(
        f"/api/achievements/{created['id']}/ip",
        {"ip_rights": [{"ip_type": "design", "number": "202330123456.0", "title": "外观"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["ip_rights"][0].startswith(
        "第 1 项知识产权：申请号 202330123456.0 校验位错误"
    )
    assert list(AchievementIP.objects.values_list("number", flat=True)) == ["ZL202310123456.6"]


def test_strangers_cannot_write_and_anonymous_visitors_must_log_in(owner, client):
    user, org = owner
    client.force_login(user)
    created = _create(client, org)
    client.force_login(UserFactory())
    assert (
        client.patch(
            f"/api/achievements/{created['id']}", {"trl": 2}, content_type="application/json"
        ).status_code
        == 404
    )  # a draft is invisible to them
    response = _post(client, "/api/achievements", {**BODY, "owner_id": org.pk})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    client.logout()
    assert _post(client, "/api/achievements", {**BODY, "owner_id": org.pk}).status_code == 401
    assert Achievement.objects.count() == 1
