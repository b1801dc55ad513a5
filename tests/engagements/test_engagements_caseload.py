"""Caseloads: operators assign, brokers claim needs in their fields; notices about new matching
achievements go to the assigned broker, not to every broker."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from factories import make_broker

from techmarket.audit.models import AuditLog
from techmarket.engagements import services
from techmarket.engagements.models import Assignment, BrokerFields
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db


def with_fields(broker, *, regions=(), industries=()):
    fields = BrokerFields.objects.create(broker=broker)
    fields.regions.set(Region.objects.filter(pk__in=regions))
    if industries:
        from techmarket.reference.models import Industry

        fields.industries.set(Industry.objects.filter(pk__in=industries))
    return broker


def test_a_broker_claims_an_unassigned_need_in_their_region_once(need):
    broker = with_fields(make_broker(), regions=["371300"])  # 临沂市 covers 兰山区 371302
    need.region_id = "371302"
    need.save(update_fields=["region"])
    assignment = services.need_claim(need=need, acting_user=broker)
    assert assignment.via == Assignment.Via.CLAIMED and assignment.broker == broker
    with pytest.raises(ValidationError, match="已有经纪人负责"):
        services.need_claim(need=need, acting_user=with_fields(make_broker(), regions=["371300"]))
    assert AuditLog.objects.filter(action="engagements.assignment.claim").count() == 1


def test_a_need_outside_the_brokers_fields_cannot_be_claimed(need):
    broker = with_fields(make_broker(), regions=["370100"])  # 济南市
    need.region_id = "371302"
    need.save(update_fields=["region"])
    with pytest.raises(ValidationError, match="不在您登记的服务领域"):
        services.need_claim(need=need, acting_user=broker)
    assert not Assignment.objects.exists()


def test_operators_assign_and_reassign_and_the_broker_is_told(
    need, operator, django_capture_on_commit_callbacks
):
    from techmarket.notifications.models import Notification

    first, second = make_broker(), make_broker()
    with django_capture_on_commit_callbacks(execute=True):
        services.need_assign(need=need, broker=first, acting_user=operator)
        services.need_assign(need=need, broker=second, acting_user=operator)
    assert Assignment.objects.get(need=need).broker == second
    assert Notification.objects.filter(user=second, item_key__startswith="assign:").count() == 1
    with pytest.raises(PermissionDenied):
        services.need_assign(need=need, broker=first, acting_user=first)


def test_the_caseload_page_shows_new_and_waiting_needs(need, operator):
    broker = make_broker()
    services.need_assign(need=need, broker=broker, acting_user=operator)
    c = Client()
    c.force_login(broker)
    page = c.get(reverse("engagements:caseload")).content.decode()
    assert need.title in page and "新分派 1" in page and "待我处理 1" in page
    assert "新分派 0" in c.get(reverse("engagements:caseload")).content.decode()  # seen now


def test_a_new_matching_achievement_is_told_to_the_assigned_broker_only(parties, need, achievement, operator):
    from techmarket.achievements import matching as achievement_matching
    from techmarket.matching import services as matching_services
    from techmarket.notifications.models import Notification

    assigned, other = make_broker(), make_broker()
    services.need_assign(need=need, broker=assigned, acting_user=operator)
    original = matching_services.matches_for
    try:
        matching_services.matches_for = lambda item, kind: [need]
        achievement_matching.rematch_achievement(achievement)
    finally:
        matching_services.matches_for = original
    assert Notification.objects.filter(user=assigned).exists()
    assert not Notification.objects.filter(user=other).exists()
    assert Notification.objects.filter(user=parties["enterprise_user"]).exists()
