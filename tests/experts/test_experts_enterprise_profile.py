"""Enterprise profile (企业画像): who may update it, validation, certificates with tags, audit and who reads figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_bureau,
    make_operator,
    make_org_admin,
)

from techmarket.audit.models import AuditLog
from techmarket.orgs.models import CertificationRecord, EnterpriseProfile, Organization, Role
from techmarket.orgs.profile_services import enterprise_profile_update

pytestmark = pytest.mark.django_db

GOOD = {
    "main_products": "不锈钢精密带材",
    "core_capabilities": "冷轧与光亮退火工艺",
    "rd_staff_count": 35,
    "total_staff": 420,
    "annual_revenue_range": "20000_100000",
    "rd_spending_ratio": "4.25",
}


@pytest.fixture
def company():
    return OrganizationFactory(name="临沂钢带科技有限公司")


@pytest.fixture
def admin(company):
    return make_org_admin(company)


def test_admin_updates_profile_with_certificates_tags_and_one_audit_record(company, admin):
    profile = enterprise_profile_update(
        organization=company,
        acting_user=admin,
        **GOOD,
        certifications=[
            {"tag": "高新技术企业", "certificate_number": "GR202337001234", "valid_until": "2026-12-31"}
        ],
    )
    assert profile.rd_spending_ratio == Decimal("4.25") and profile.total_staff == 420
    record = CertificationRecord.objects.get(organization=company)
    assert record.tag.name == "高新技术企业" and record.valid_until == datetime.date(2026, 12, 31)
    assert list(company.tags.values_list("name", flat=True)) == ["高新技术企业"]
    log = AuditLog.objects.get(action="orgs.enterprise_profile.update")
    assert log.actor == admin and log.before["main_products"] is None
    assert log.after["certifications"][0]["certificate_number"] == "GR202337001234"
    # A later update leaves fields it does not mention alone and replaces the certificate list when given.
    enterprise_profile_update(
        organization=company, acting_user=admin, total_staff=500, certifications=[{"tag": "专精特新中小企业"}]
    )
    profile.refresh_from_db()
    assert profile.main_products == "不锈钢精密带材" and profile.total_staff == 500
    assert [c.tag.name for c in company.certifications.all()] == ["专精特新中小企业"]
    assert AuditLog.objects.filter(action="orgs.enterprise_profile.update").count() == 2


@pytest.mark.parametrize("who", ["member", "broker", "bureau", "other_admin", "stranger"])
def test_only_org_admin_or_operator_may_update(company, who):
    member = UserFactory()
    MembershipFactory(user=member, organization=company, role=Role.MEMBER)
    actor = {
        "member": member,
        "broker": make_broker(),
        "bureau": make_bureau(),
        "other_admin": make_org_admin(),
        "stranger": UserFactory(),
    }[who]
    with pytest.raises(PermissionDenied):
        enterprise_profile_update(organization=company, acting_user=actor, **GOOD)
    assert not EnterpriseProfile.objects.exists() and not AuditLog.objects.exists()


def test_operator_may_update_but_not_for_a_university(company):
    operator = make_operator()
    enterprise_profile_update(organization=company, acting_user=operator, main_products="带材")
    assert EnterpriseProfile.objects.get(organization=company).main_products == "带材"
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    with pytest.raises(ValidationError, match="只适用于企业"):
        enterprise_profile_update(organization=university, acting_user=operator, main_products="x")


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"main_products": "<script>x</script>"}, "main_products", "HTML"),
        ({"rd_spending_ratio": "120"}, "rd_spending_ratio", "0–100"),
        ({"rd_spending_ratio": "abc"}, "rd_spending_ratio", "数字"),
        ({"annual_revenue_range": "huge"}, "annual_revenue_range", "只能是"),
        ({"total_staff": -1}, "total_staff", "负数"),
        ({"rd_staff_count": 50, "total_staff": 10}, "rd_staff_count", "不能多于"),
        ({"certifications": [{"tag": "诺贝尔奖"}]}, "certifications", "诺贝尔奖"),
        ({"certifications": [{"tag": "高新技术企业"}, {"tag": "高新技术企业"}]}, "certifications", "重复"),
        (
            {"certifications": [{"tag": "高新技术企业", "valid_until": "明年"}]},
            "certifications",
            "YYYY-MM-DD",
        ),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(company, admin, changes, field, fragment):
    with pytest.raises(ValidationError) as exc:
        enterprise_profile_update(organization=company, acting_user=admin, **changes)
    assert any(fragment in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not EnterpriseProfile.objects.exists() and not CertificationRecord.objects.exists()
    assert not company.tags.exists() and not AuditLog.objects.exists()


def test_api_get_hides_figures_from_public_and_put_updates(client, company, admin):
    enterprise_profile_update(
        organization=company,
        acting_user=admin,
        **GOOD,
        certifications=[{"tag": "高新技术企业", "certificate_number": "GR1"}],
    )
    public = client.get(f"/api/organizations/{company.pk}/profile").json()
    assert public["main_products"] == "不锈钢精密带材" and public["tags"] == ["高新技术企业"]
    assert public["figures_visible"] is False and public["total_staff"] is None
    assert public["rd_spending_ratio"] is None and public["certifications"][0]["certificate_number"] == ""
    client.force_login(make_bureau())
    assert client.get(f"/api/organizations/{company.pk}/profile").json()["total_staff"] == 420

    client.force_login(admin)
    response = client.put(
        f"/api/organizations/{company.pk}/profile",
        {
            "main_products": "精密带材",
            "rd_staff_count": 40,
            "total_staff": 400,
            "rd_spending_ratio": 5.5,
            "annual_revenue_range": "5000_20000",
            "certifications": [{"tag": "科技型中小企业", "valid_until": "2027-06-30"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rd_staff_count"] == 40 and body["certifications"][0]["valid_until"] == "2027-06-30"
    assert set(body["tags"]) == {"高新技术企业", "科技型中小企业"}  # tags are added, never silently removed


def test_api_put_errors_use_the_standard_body(client, company, admin):
    client.force_login(UserFactory())
    assert (
        client.put(
            f"/api/organizations/{company.pk}/profile", {}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(admin)
    response = client.put(
        f"/api/organizations/{company.pk}/profile",
        {"annual_revenue_range": "huge"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "annual_revenue_range" in response.json()["error"]["fields"]
    assert client.get("/api/organizations/999999/profile").status_code == 404
