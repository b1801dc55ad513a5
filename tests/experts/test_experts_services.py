"""Who may write expert profiles, relations and contact decisions; every write audited; bad input writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.accounts.roles import forget_roles
from techmarket.audit.models import AuditLog
from techmarket.experts import services
from techmarket.experts.models import ContactPermission, Expert
from techmarket.experts.selectors import can_see_expert_contact
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

PROFILE = {"name": "陈思远", "research_fields": "果蔬冷链保鲜", "availability": ["consulting"]}


def test_member_creates_own_profile_linked_to_their_account_and_audited(university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    expert = services.expert_create(
        acting_user=member, affiliation=university, disciplines=["210"], industries=["13"], **PROFILE
    )
    assert expert.user == member and expert.affiliation == university
    assert [d.pk for d in expert.disciplines.all()] == ["210"]
    log = AuditLog.objects.get(action="experts.expert.create")
    assert log.actor == member and log.target_id == str(expert.pk)
    assert log.after["name"] == "陈思远" and log.after["disciplines"] == ["210"]


def test_outsider_cannot_create_a_profile_in_someone_elses_university(university):
    with pytest.raises(PermissionDenied):
        services.expert_create(acting_user=UserFactory(), affiliation=university, **PROFILE)
    assert not Expert.objects.exists() and not AuditLog.objects.exists()


def test_admin_creates_unlinked_profile_and_operator_any(university, university_admin):
    expert = services.expert_create(acting_user=university_admin, affiliation=university, **PROFILE)
    assert expert.user is None
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    with pytest.raises(PermissionDenied):
        services.expert_create(acting_user=make_org_admin_of(pending), affiliation=pending, **PROFILE)
    assert (
        services.expert_create(acting_user=make_operator(), affiliation=pending, **PROFILE).affiliation
        == pending
    )


def make_org_admin_of(org):
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user


def test_admin_may_link_only_members_and_an_account_holds_one_profile(
    university, university_admin, expert, expert_user
):
    with pytest.raises(ValidationError) as exc:
        services.expert_create(
            acting_user=university_admin, affiliation=university, user=UserFactory(), **PROFILE
        )
    assert "user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.expert_create(
            acting_user=university_admin, affiliation=university, user=expert_user, **PROFILE
        )
    assert "已有专家档案" in exc.value.message_dict["user"][0]


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("self", True),
        ("admin", True),
        ("operator", True),
        ("colleague", False),
        ("broker", False),
        ("stranger", False),
    ],
)
def test_update_permissions(expert, expert_user, university, university_admin, who, allowed):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=university, role=Role.MEMBER)
    actor = {
        "self": expert_user,
        "admin": university_admin,
        "operator": make_operator(),
        "colleague": colleague,
        "broker": make_broker(),
        "stranger": UserFactory(),
    }[who]
    if allowed:
        services.expert_update(expert=expert, acting_user=actor, title="研究员")
        expert.refresh_from_db()
        assert expert.title == "研究员"
        log = AuditLog.objects.get(action="experts.expert.update")
        assert log.before["title"] == "教授" and log.after["title"] == "研究员" and log.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            services.expert_update(expert=expert, acting_user=actor, title="研究员")
        expert.refresh_from_db()
        assert expert.title == "教授" and not AuditLog.objects.exists()


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"bio": "<script>alert(1)</script>"}, "bio", "HTML"),
        ({"research_fields": "<b>储能</b>"}, "research_fields", "HTML"),
        ({"availability": ["consulting", "moonlighting"]}, "availability", "moonlighting"),
        ({"availability": "review"}, "availability", "列表"),
        ({"email": "not-an-email"}, "email", "格式不正确"),
        ({"phone": "call me"}, "phone", "格式不正确"),
        ({"name": "  "}, "name", "姓名"),
        ({"disciplines": ["999999"]}, "disciplines", "999999"),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(expert, expert_user, changes, field, fragment):
    with pytest.raises(ValidationError) as exc:
        services.expert_update(expert=expert, acting_user=expert_user, **changes)
    assert any(fragment in m for m in exc.value.message_dict[field]), exc.value.message_dict
    fresh = Expert.objects.get(pk=expert.pk)
    assert fresh.bio == "长期从事新能源材料研究。" and fresh.availability == ["consulting", "review"]
    assert not AuditLog.objects.exists()


def test_create_reports_all_bad_fields_at_once_and_writes_nothing(university, university_admin):
    with pytest.raises(ValidationError) as exc:
        services.expert_create(
            acting_user=university_admin,
            affiliation=university,
            name="<i>x</i>",
            research_fields="",
            availability=["fulltime"],
        )
    assert set(exc.value.message_dict) == {"name", "research_fields", "availability"}
    assert not Expert.objects.exists() and not AuditLog.objects.exists()


def test_only_operators_set_panel_eligibility(expert, expert_user):
    with pytest.raises(PermissionDenied):
        services.expert_update(expert=expert, acting_user=expert_user, panel_eligible=True)
    services.expert_update(expert=expert, acting_user=make_operator(), panel_eligible=True)
    assert Expert.objects.get(pk=expert.pk).panel_eligible is True


def test_self_cannot_move_to_an_organisation_they_do_not_belong_to(expert, expert_user):
    with pytest.raises(PermissionDenied):
        services.expert_update(expert=expert, acting_user=expert_user, affiliation=OrganizationFactory())
    other = OrganizationFactory()
    MembershipFactory(user=expert_user, organization=other, role=Role.MEMBER)
    forget_roles(expert_user)
    services.expert_update(expert=expert, acting_user=expert_user, affiliation=other)
    assert Expert.objects.get(pk=expert.pk).affiliation == other


def test_set_relations_replaces_declared_sets_is_audited_and_checked(expert, expert_user, university):
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    peer = Expert.objects.create(name="刘洋", affiliation=university, research_fields="储能")
    services.expert_set_relations(
        expert=expert, acting_user=expert_user, organizations=[org_a, org_b], experts=[peer.pk]
    )
    services.expert_set_relations(expert=expert, acting_user=expert_user, organizations=[org_b.pk])
    assert list(expert.related_organizations.all()) == [org_b]
    assert list(expert.related_experts.all()) == [peer]  # untouched when not given
    logs = AuditLog.objects.filter(action="experts.expert.set_relations").order_by("pk")
    assert logs.count() == 2 and logs[1].before["related_organizations"] == sorted([org_a.pk, org_b.pk])
    with pytest.raises(ValidationError) as exc:
        services.expert_set_relations(
            expert=expert, acting_user=expert_user, experts=[expert.pk], organizations=[999999]
        )
    assert set(exc.value.message_dict) == {"experts", "organizations"}
    with pytest.raises(PermissionDenied):
        services.expert_set_relations(expert=expert, acting_user=UserFactory(), organizations=[])
    assert list(expert.related_organizations.all()) == [org_b]


def test_contact_request_accept_and_decline_flow(expert, expert_user):
    asker = UserFactory()
    permission = services.expert_contact_request(
        expert=expert, acting_user=asker, message="想咨询电池回收工艺"
    )
    assert permission.status == ContactPermission.Status.REQUESTED
    assert services.expert_contact_request(expert=expert, acting_user=asker).pk == permission.pk  # idempotent
    assert not can_see_expert_contact(asker, expert)
    with pytest.raises(PermissionDenied):
        services.expert_accept_contact(expert=expert, user=asker, acting_user=asker)
    with pytest.raises(PermissionDenied):
        services.expert_accept_contact(expert=expert, user=asker, acting_user=UserFactory())
    services.expert_accept_contact(expert=expert, user=asker, acting_user=expert_user)
    assert can_see_expert_contact(asker, expert)
    services.expert_decline_contact(expert=expert, user=asker, acting_user=expert_user)
    assert not can_see_expert_contact(asker, expert)
    with pytest.raises(ValidationError):
        services.expert_contact_request(expert=expert, acting_user=asker)  # declined: no pestering
    actions = list(AuditLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["experts.contact.request", "experts.contact.accept", "experts.contact.decline"]


def test_contact_request_rejects_html_and_own_profile(expert, expert_user):
    with pytest.raises(ValidationError) as exc:
        services.expert_contact_request(
            expert=expert, acting_user=UserFactory(), message="<a href=x>点我</a>"
        )
    assert "message" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.expert_contact_request(expert=expert, acting_user=expert_user)
    assert not ContactPermission.objects.exists()
