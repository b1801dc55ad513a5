"""需求凝练: brokers propose clearer needs, owners accept or reject, every version is kept with its diff."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.needs import services
from techmarket.needs.models import NeedRevision
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    org = OrganizationFactory()
    owner = UserFactory()
    MembershipFactory(user=owner, organization=org, role=Role.ORG_ADMIN)
    need = services.need_create(
        acting_user=owner, owner=org, title="电池材料性能提升", summary="希望性能更好", problem="低温性能不好"
    )
    return owner, need, make_broker()


def test_broker_proposal_accepted_by_owner_updates_the_need_and_keeps_versions(setup, client):
    owner, need, broker = setup
    revision = services.need_refinement_propose(
        need=need,
        acting_user=broker,
        note="把“性能更好”量化",
        changes={
            "title": "磷酸铁锂正极材料低温放电性能提升",
            "parameters": [{"indicator": "-20℃容量保持率", "target": "≥85", "unit": "%"}],
        },
    )
    assert revision.base == {"title": "电池材料性能提升", "parameters": []}
    client.force_login(owner)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert (
        "待确认的凝练建议" in page
        and "<ins" in page
        and "磷酸铁锂正极" in page
        and "把“性能更好”量化" in page
    )
    response = client.post(f"/needs/{need.pk}/refinements/{revision.pk}/", {"accept": "1", "note": "同意"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "磷酸铁锂正极材料低温放电性能提升"
    assert need.parameters == [{"indicator": "-20℃容量保持率", "target": "≥85", "unit": "%"}]
    assert [v.reason for v in need.versions.order_by("number")] == ["创建", "采纳凝练建议"]
    versions = client.get(f"/needs/{need.pk}/versions/").content.decode()
    assert "v2" in versions and "<del" in versions and "电池材料性能提升" in versions
    assert set(AuditLog.objects.filter(target_id=str(need.pk)).values_list("action", flat=True)) >= {
        "needs.refinement.propose",
        "needs.refinement.accept",
        "needs.need.update",
    }


def test_rejected_proposal_changes_nothing(setup):
    owner, need, broker = setup
    revision = services.need_refinement_propose(
        need=need, acting_user=broker, changes={"summary": "量化后的摘要"}
    )
    services.need_refinement_decide(revision=revision, acting_user=owner, accept=False, note="指标已在附件中")
    need.refresh_from_db()
    assert need.summary == "希望性能更好" and need.versions.count() == 1
    assert NeedRevision.objects.get().status == NeedRevision.Status.REJECTED


def test_only_brokers_and_operators_propose_and_only_the_owner_decides(setup):
    owner, need, broker = setup
    with pytest.raises(PermissionDenied):
        services.need_refinement_propose(need=need, acting_user=owner, changes={"summary": "新摘要"})
    revision = services.need_refinement_propose(need=need, acting_user=broker, changes={"summary": "新摘要"})
    with pytest.raises(PermissionDenied):
        services.need_refinement_decide(revision=revision, acting_user=broker, accept=True)


def test_a_proposal_on_outdated_text_cannot_be_accepted(setup):
    owner, need, broker = setup
    revision = services.need_refinement_propose(
        need=need, acting_user=broker, changes={"summary": "经纪人版本"}
    )
    services.need_update(need=need, acting_user=owner, summary="企业自己又改了")
    with pytest.raises(ValidationError, match="已被修改"):
        services.need_refinement_decide(revision=revision, acting_user=owner, accept=True)


def test_identical_or_html_proposals_are_refused(setup):
    _owner, need, broker = setup
    with pytest.raises(ValidationError, match="相同"):
        services.need_refinement_propose(need=need, acting_user=broker, changes={"summary": "希望性能更好"})
    with pytest.raises(ValidationError):
        services.need_refinement_propose(
            need=need, acting_user=broker, changes={"summary": "<script>加粗</script>"}
        )


def test_versions_page_is_for_the_owner_and_brokers_only(setup, client):
    _owner, need, broker = setup
    need.status = ListingStatus.PUBLISHED
    need.save()
    assert client.get(f"/needs/{need.pk}/versions/").status_code in {302, 403}
    client.force_login(UserFactory())
    assert client.get(f"/needs/{need.pk}/versions/").status_code == 403
    client.force_login(broker)
    assert client.get(f"/needs/{need.pk}/versions/").status_code == 200


def test_refine_page_opens_for_brokers_and_operators_and_a_posted_proposal_waits_for_the_owner(
    setup, client, operator
):
    owner, need, broker = setup
    from techmarket.catalog.workflow import listing_transition

    listing_transition(item=need, action="submit", acting_user=owner)
    listing_transition(item=need, action="publish", acting_user=operator)
    for person in (broker, operator):
        client.force_login(person)
        response = client.get(f"/needs/{need.pk}/refine/")
        assert response.status_code == 200, person
        assert "凝练说明" in response.content.decode()
    client.force_login(broker)
    response = client.post(
        f"/needs/{need.pk}/refine/",
        {
            "title": "磷酸铁锂正极材料低温放电性能提升",
            "summary": "希望性能更好",
            "problem": "低温性能不好",
            "parameters": "-20℃容量保持率|≥85|%",
            "note": "量化指标",
        },
    )
    assert response.status_code == 302
    revision = NeedRevision.objects.get(need=need)
    assert revision.status == NeedRevision.Status.PROPOSED and revision.changes["title"].startswith(
        "磷酸铁锂"
    )
    assert revision.due_at is not None  # the owner's decision is due in working days
    client.force_login(owner)
    assert client.get(f"/needs/{need.pk}/refine/").status_code == 403
