"""Facility documents and photos (认定材料, 设备照片): visible with the facility, uploaded by its managers."""

from techmarket.documents.registry import register

from .permissions import may_manage
from .selectors import facility_list_visible_to

register(
    "facilities.facility",
    can_view=lambda user, facility: facility_list_visible_to(user).filter(pk=facility.pk).exists(),
    can_upload=may_manage,
    can_view_confidential=None,
)
