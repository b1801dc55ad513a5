"""The one place that decides who may see which catalogue item, and which parts of it.

Rules (DESIGN.md, "Visibility"):
- operators see everything (they review it);
- members of the owner organisation see their own items in every status;
- the bureau (科技局) sees the public part of every item that was published: listed, in progress, solved
  or closed, whatever its visibility level (it oversees the platform and reports on it);
- everyone else sees only listed items (published / in progress) whose visibility level admits them:
  公开 anybody, 注册用户 any logged-in user, 仅经纪人与平台 brokers, 仅本单位 nobody else;
- anonymous items hide the owner's name from everybody but the owner, brokers and operators;
- confidential details need a granted AccessGrant for one of the user's organisations.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from techmarket.accounts import roles

from .models import LISTED_STATUSES, AccessGrant, ListingStatus, Visibility

# What the bureau oversees: everything that went through review and was published, to its end.
BUREAU_STATUSES = (*LISTED_STATUSES, ListingStatus.SOLVED, ListingStatus.CLOSED)


def visible_levels(user: Any) -> list[str]:
    levels: list[str] = [Visibility.PUBLIC]
    if getattr(user, "is_authenticated", False):
        levels.append(Visibility.REGISTERED)
        if roles.is_broker(user):
            levels.append(Visibility.BROKERS)
    return levels


def listing_visible_q(user: Any) -> Q:
    """A filter for any Listing subclass's queryset: the items this user may see at all."""
    if roles.is_operator(user):
        return Q()
    if roles.is_bureau(user):
        listed = Q(status__in=BUREAU_STATUSES)
    else:
        listed = Q(status__in=LISTED_STATUSES, visibility__in=visible_levels(user))
    own_orgs = [org.pk for org in roles.user_organizations(user)]
    return listed | Q(owner_id__in=own_orgs) if own_orgs else listed


def owner_filter_q(user: Any, owner_id: int) -> Q:
    """Items of one owner organisation, as a list filter. Anonymous items match only for users who may see
    their owner (can_see_owner); otherwise filtering by owner would reveal who published them."""
    q = Q(owner_id=owner_id)
    if roles.is_broker_or_operator(user) or any(o.pk == owner_id for o in roles.user_organizations(user)):
        return q
    return q & Q(is_anonymous=False)


def is_owner_member(user: Any, item: Any) -> bool:
    return any(org.pk == item.owner_id for org in roles.user_organizations(user))


def can_see_owner(user: Any, item: Any) -> bool:
    if not item.is_anonymous:
        return True
    return roles.is_broker_or_operator(user) or is_owner_member(user, item)


def owner_label(user: Any, item: Any) -> str:
    return item.owner.name if can_see_owner(user, item) else _("匿名发布机构")


def can_view_confidential(user: Any, item: Model) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.is_operator(user) or is_owner_member(user, item):
        return True
    org_ids = [org.pk for org in roles.user_organizations(user)]
    if not org_ids:
        return False
    return AccessGrant.objects.filter(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        organization_id__in=org_ids,
        status=AccessGrant.Status.GRANTED,
    ).exists()


def can_see_identifying_details(user: Any, item: Any) -> bool:
    """Patent numbers and titles of an anonymous item name its owner through public patent registers:
    only those who may see the owner, or whose organisation was granted access, see them."""
    return can_see_owner(user, item) or can_view_confidential(user, item)


def can_edit(user: Any, item: Any) -> bool:
    return roles.is_operator(user) or is_owner_member(user, item)
