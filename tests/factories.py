"""factory_boy factories for users, organisations and memberships.

Organisations get a synthetic but valid 统一社会信用代码 (check character computed by
techmarket.orgs.validators.make_uscc) and region 371302 (临沂市兰山区).
"""

import factory
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.orgs.models import BrokerLevel, Membership, Organization, Role
from techmarket.orgs.validators import make_uscc
from techmarket.reference.models import Region

DEFAULT_PASSWORD = "Sb7!kq-mountain-river"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who has verified the e-mail address and can log in with DEFAULT_PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def _uscc(n: int) -> str:
    # 91 (enterprise) + 371302 (region) + a 9-digit organisation code unique per sequence number.
    return make_uscc(f"91371302{n:09d}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An approved enterprise in 临沂市兰山区 with a valid credit code."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"临沂测试科技有限公司{n:04d}")
    kind = Organization.Kind.ENTERPRISE
    uscc = factory.Sequence(_uscc)
    region = factory.LazyFunction(lambda: Region.objects.get(pk="371302"))
    status = Organization.Status.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER
    broker_level = factory.LazyAttribute(lambda o: BrokerLevel.JUNIOR if o.role == Role.BROKER else "")


def make_operator(**user_kwargs) -> User:
    """A user holding the operator role in an approved platform-operator organisation."""
    org = OrganizationFactory(kind=Organization.Kind.SERVICE, is_platform_operator=True)
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=org, role=Role.OPERATOR)
    return user


def make_broker(*, level: str = BrokerLevel.INTERMEDIATE, **user_kwargs) -> User:
    org = OrganizationFactory(kind=Organization.Kind.SERVICE)
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=org, role=Role.BROKER, broker_level=level)
    return user


def make_bureau(**user_kwargs) -> User:
    org = OrganizationFactory(kind=Organization.Kind.GOVERNMENT)
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=org, role=Role.BUREAU)
    return user


def make_org_admin(organization: Organization | None = None, **user_kwargs) -> User:
    org = organization or OrganizationFactory()
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user


def with_search_text(item):
    """Items made directly with the ORM get the search column the services would have filled."""
    item.search_text = item.compute_search_text()
    item.save(update_fields=["search_text"])
    return item


PASSWORD_FOR_BROWSER = DEFAULT_PASSWORD
