"""seed_demo: deterministic, a working login for every role, and safe to run twice."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from techmarket.accounts import roles
from techmarket.accounts.models import User
from techmarket.demo.generator import DEFAULT_PASSWORD, DEFAULT_SEED, generate
from techmarket.orgs.models import JoinRequest, Membership, Organization, Role
from techmarket.orgs.validators import validate_uscc

pytestmark = pytest.mark.django_db


def _name(username):
    # The builder names some accounts after database ids (tto<organisation pk>), which differ between
    # two runs in one database (sequences are not rolled back on PostgreSQL); compare without them.
    return re.sub(r"^tto\d+$", "tto#", username)


def _fingerprint():
    orgs = list(
        Organization.objects.order_by("name").values_list("name", "uscc", "kind", "region_id", "status")
    )
    users = sorted((_name(u), n, p) for u, n, p in User.objects.values_list("username", "real_name", "phone"))
    members = sorted(
        (_name(u), *rest)
        for u, *rest in Membership.objects.values_list(
            "user__username", "organization__name", "role", "broker_level"
        )
    )
    return orgs, users, members


def _generate_and_roll_back(seed):
    with transaction.atomic():
        generate(seed=seed)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_same_seed_gives_identical_data_and_another_seed_differs():
    first = _generate_and_roll_back(DEFAULT_SEED)
    assert first == _generate_and_roll_back(DEFAULT_SEED)
    assert first != _generate_and_roll_back(DEFAULT_SEED + 1)


def test_every_printed_demo_login_works_with_the_demo_password(seeded):
    for username in (
        "demo_operator",
        "demo_bureau",
        "demo_enterprise",
        "demo_staff",
        "demo_university",
        "demo_expert",
        "demo_broker",
        "demo_investor",
        "demo_pending",
    ):
        assert username in seeded
        user = authenticate(username=username, password=DEFAULT_PASSWORD)
        assert user is not None, username
        assert user.email_verified, username
    assert f"密码均为 {DEFAULT_PASSWORD}" in seeded


def test_every_role_has_a_demo_login(seeded):
    def roles_of(username):
        return roles.user_roles(User.objects.get(username=username))

    assert Role.OPERATOR in roles_of("demo_operator")
    assert roles_of("demo_bureau") == {Role.BUREAU}
    assert roles_of("demo_enterprise") == {Role.ORG_ADMIN}
    assert roles_of("demo_staff") == {Role.MEMBER}
    assert roles_of("demo_expert") == {Role.EXPERT}
    assert roles_of("demo_broker") == {Role.BROKER}
    assert roles_of("demo_pending") == set()  # its organisation awaits review
    covered = set().union(
        *(
            roles_of(u)
            for u in User.objects.filter(username__startswith="demo_").values_list("username", flat=True)
        )
    )
    assert covered == set(Role.values)


def test_demo_orgs_have_valid_unique_credit_codes_and_something_in_every_queue(seeded):
    codes = list(Organization.objects.values_list("uscc", flat=True))
    for code in codes:
        validate_uscc(code)
    assert len(codes) == len(set(codes))
    assert Organization.objects.filter(status=Organization.Status.PENDING).exists()
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).exists()
    assert Organization.objects.filter(is_platform_operator=True).count() == 1


def test_running_seed_demo_twice_does_not_duplicate(seeded):
    before = _fingerprint()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert _fingerprint() == before
    assert "demo_operator" in out.getvalue()
