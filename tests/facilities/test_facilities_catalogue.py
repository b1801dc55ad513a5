"""Facilities: creation by the owner's administrators, the 试点 → 已认定 / 已撤销 workflow, and who sees what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from facility_helpers import facility_data

from techmarket.audit.models import AuditLog
from techmarket.catalog import registry
from techmarket.facilities import selectors, services
from techmarket.facilities.models import Facility

pytestmark = pytest.mark.django_db


def test_an_owner_admin_registers_a_facility_as_trial_with_an_audit_record(centre, uni_admin):
    assert centre.status == Facility.Status.TRIAL
    assert centre.equipment_list == ["X 射线衍射仪", "扫描电子显微镜"]
    assert AuditLog.objects.filter(action="facilities.facility.create", actor=uni_admin).exists()


def test_a_member_who_is_not_admin_cannot_register_for_the_organisation(enterprise, ent_user):
    with pytest.raises(PermissionDenied):
        services.facility_create(acting_user=ent_user, owner=enterprise, data=facility_data())
    assert not Facility.objects.unscoped().exists()


def test_bad_input_is_refused_with_field_messages_and_nothing_saved(university, uni_admin):
    with pytest.raises(ValidationError) as exc:
        services.facility_create(
            acting_user=uni_admin, owner=university, data=facility_data(name="中心", kind="lab", summary="")
        )
    assert {"name", "summary"} <= set(exc.value.message_dict)
    assert not Facility.objects.unscoped().exists()


def test_only_operators_recognise_and_ending_a_pilot_needs_a_reason(centre, uni_admin, operator):
    with pytest.raises(PermissionDenied):
        services.facility_move(facility=centre, action="recognise", acting_user=uni_admin)
    # recognition goes through the recognition path (tests/facilities/test_facilities_recognition.py)
    with pytest.raises(ValidationError, match="认定须经依托单位申报"):
        services.facility_move(facility=centre, action="recognise", acting_user=operator)
    centre.refresh_from_db()
    assert centre.status == Facility.Status.TRIAL and centre.recognised_at is None
    # a pilot is ended directly (终止试点); only a recognised facility's revocation needs an evaluation
    with pytest.raises(PermissionDenied):
        services.facility_move(facility=centre, action="end_trial", acting_user=uni_admin, reason="不再运行")
    with pytest.raises(ValidationError, match="终止试点必须说明原因"):
        services.facility_move(facility=centre, action="end_trial", acting_user=operator, reason="")
    with pytest.raises(ValidationError, match="不能执行“撤销认定”"):
        services.facility_move(facility=centre, action="revoke", acting_user=operator, reason="试点不合格")
    services.facility_move(facility=centre, action="end_trial", acting_user=operator, reason="试点期满未达标")
    centre.refresh_from_db()
    assert centre.status == Facility.Status.REVOKED and centre.status_note == "试点期满未达标"
    assert centre.revoked_at is not None
    assert AuditLog.objects.filter(action="facilities.facility.end_trial", actor=operator).exists()


def test_a_revoked_facility_is_hidden_from_the_public_but_not_from_its_owner(
    centre, uni_admin, operator, ent_user
):
    services.facility_move(facility=centre, action="end_trial", acting_user=operator, reason="未按期整改")
    assert not selectors.facility_list_visible_to(ent_user).exists()
    with pytest.raises(Http404):
        selectors.facility_get_visible(ent_user, centre.pk)
    assert selectors.facility_get_visible(uni_admin, centre.pk) == centre


def test_the_list_filters_by_kind_status_and_region(centre, instrument, ent_user):
    assert list(selectors.facility_list_visible_to(ent_user, kind="instrument")) == [instrument]
    assert selectors.facility_list_visible_to(ent_user, region="3713").count() == 2
    assert not selectors.facility_list_visible_to(ent_user, region="1101").exists()
    assert not selectors.facility_list_visible_to(ent_user, status="recognised").exists()


def test_an_update_that_changes_nothing_writes_nothing(centre, uni_admin):
    before = AuditLog.objects.count()
    services.facility_update(facility=centre, acting_user=uni_admin, data={"name": centre.name})
    assert AuditLog.objects.count() == before
    services.facility_update(facility=centre, acting_user=uni_admin, data={"capacity": 20})
    centre.refresh_from_db()
    assert centre.capacity == 20 and AuditLog.objects.count() == before + 1


def test_someone_else_cannot_edit(centre, stranger):
    with pytest.raises(PermissionDenied):
        services.facility_update(facility=centre, acting_user=stranger, data={"capacity": 1})


def test_facilities_are_a_catalogue_type():
    ctype = registry.get("facilities")
    assert ctype.model is Facility and ctype.api_router == "techmarket.facilities.api.router"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("1234567", "每天"),
        ("12345", "周一至周五"),
        ("135", "周一、周三、周五"),
        ("67", "周六、周日"),
        ("", "不开放"),
    ],
)
def test_opening_days_read_in_words(code, words):
    assert Facility(open_weekdays=code).open_weekdays_display == words
