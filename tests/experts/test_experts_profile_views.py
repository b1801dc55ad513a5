"""The enterprise profile (企业画像) on the organisation page: who sees the figures, who may edit them."""

import pytest
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_bureau,
    make_operator,
    make_org_admin,
)

from techmarket.orgs.models import CertificationRecord, EnterpriseProfile, Organization, OrganizationTag, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    org = OrganizationFactory(name="临沂钢带科技有限公司")
    EnterpriseProfile.objects.create(
        organization=org,
        main_products="不锈钢精密带材",
        core_capabilities="光亮退火工艺",
        total_staff=420,
        rd_staff_count=35,
        annual_revenue_range="20000_100000",
        rd_spending_ratio="4.25",
    )
    CertificationRecord.objects.create(
        organization=org,
        tag=OrganizationTag.objects.get(name="高新技术企业"),
        certificate_number="GR202337000123",
    )
    return org


def _page(client, org):
    return client.get(f"/orgs/{org.pk}/").content.decode()


def test_visitor_sees_products_and_certificates_but_not_figures(client, company):
    page = _page(client, company)
    assert "不锈钢精密带材" in page and "高新技术企业" in page
    # The CSRF token is random text and may contain "420": look for the figures' labels instead.
    assert "职工总数" not in page and "4.25%" not in page and "GR202337000123" not in page
    assert "编辑企业画像" not in page


@pytest.mark.parametrize("who", ["member", "operator", "bureau"])
def test_members_operators_and_bureau_see_figures_and_certificate_numbers(client, company, who):
    if who == "member":
        user = UserFactory()
        MembershipFactory(user=user, organization=company, role=Role.MEMBER)
    else:
        user = {"operator": make_operator, "bureau": make_bureau}[who]()
    client.force_login(user)
    page = _page(client, company)
    assert "420" in page and "4.25%" in page and "GR202337000123" in page and "2–10 亿元" in page


def test_only_the_admin_gets_the_edit_link_and_page(client, company):
    member = UserFactory()
    MembershipFactory(user=member, organization=company, role=Role.MEMBER)
    client.force_login(member)
    assert "编辑企业画像" not in _page(client, company)
    assert client.get(f"/orgs/{company.pk}/profile/edit/").status_code == 403
    client.force_login(make_org_admin(company))
    assert "编辑企业画像" in _page(client, company)
    assert client.get(f"/orgs/{company.pk}/profile/edit/").status_code == 200


def test_admin_edits_figures_and_certificates(client, company):
    client.force_login(make_org_admin(company))
    tag = OrganizationTag.objects.get(name="专精特新中小企业")
    response = client.post(
        f"/orgs/{company.pk}/profile/edit/",
        {
            "main_products": "精密冷轧带钢",
            "core_capabilities": "光亮退火",
            "total_staff": "500",
            "rd_staff_count": "60",
            "annual_revenue_range": "5000_20000",
            "rd_spending_ratio": "5.5",
            f"cert_{tag.pk}": "on",
            f"cert_{tag.pk}_number": "ZJTX-2024-88",
            f"cert_{tag.pk}_until": "2027-12-31",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/orgs/{company.pk}/"
    profile = EnterpriseProfile.objects.get(organization=company)
    assert (profile.total_staff, profile.rd_staff_count, str(profile.rd_spending_ratio)) == (500, 60, "5.50")
    # The unticked 高新技术企业 certificate is removed; the new one is recorded and tagged.
    assert [(c.tag.name, c.certificate_number) for c in company.certifications.all()] == [
        ("专精特新中小企业", "ZJTX-2024-88")
    ]
    assert company.tags.filter(pk=tag.pk).exists()


def test_inconsistent_figures_keep_the_form_with_the_field_error(client, company):
    client.force_login(make_org_admin(company))
    response = client.post(
        f"/orgs/{company.pk}/profile/edit/",
        {
            "main_products": "精密冷轧带钢",
            "total_staff": "10",
            "rd_staff_count": "60",
            "rd_spending_ratio": "5",
        },
    )
    assert response.status_code == 200
    assert "不能多于职工总数" in str(response.context["form"].errors["rd_staff_count"])
    assert "精密冷轧带钢" in response.content.decode()
    assert EnterpriseProfile.objects.get(organization=company).total_staff == 420


def test_no_profile_section_or_edit_page_for_universities(client):
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    client.force_login(make_org_admin(university))
    assert "企业画像" not in _page(client, university)
    assert client.get(f"/orgs/{university.pk}/profile/edit/").status_code == 404


def test_empty_profile_invites_the_admin_to_fill_it_in(client):
    org = OrganizationFactory()
    client.force_login(make_org_admin(org))
    page = _page(client, org)
    assert "尚未填写企业画像" in page and f"/orgs/{org.pk}/profile/edit/" in page


def test_edit_form_shows_tags_from_registration_as_held(client):
    org = OrganizationFactory()
    tag = OrganizationTag.objects.get(name="瞪羚企业")
    org.tags.add(tag)
    client.force_login(make_org_admin(org))
    form = client.get(f"/orgs/{org.pk}/profile/edit/").context["form"]
    assert form[f"cert_{tag.pk}"].value() is True
