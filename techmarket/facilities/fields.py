"""One description per field of a facility and a booking: the service, the form and the API share it."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.core.fieldspec import FieldSpec, FieldSpecs


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


FACILITY_FIELDS = FieldSpecs(
    FieldSpec("name", _("名称"), required=True, min_length=4, max_length=120, normalise=_strip),
    FieldSpec(
        "summary", _("简介与服务内容"), required=True, min_length=10, max_length=4000, normalise=_strip
    ),
    FieldSpec("address", _("地址"), max_length=200, normalise=_strip),
    FieldSpec("equipment", _("主要设备"), max_length=4000, normalise=_strip),
    FieldSpec("capacity", _("年服务能力（项）"), min_value=0, max_value=100000),
    FieldSpec("contact_name", _("联系人"), required=True, max_length=32, normalise=_strip),
    FieldSpec("contact_phone", _("联系电话"), required=True, max_length=32, normalise=_strip),
)

BOOKING_FIELDS = FieldSpecs(
    FieldSpec("service", _("所需服务"), required=True, min_length=2, max_length=120, normalise=_strip),
    FieldSpec("message", _("需求说明"), max_length=500, normalise=_strip),
)

PROJECT_FIELDS = FieldSpecs(
    FieldSpec("title", _("项目名称"), required=True, min_length=4, max_length=120, normalise=_strip),
    FieldSpec("team", _("项目团队"), max_length=200, normalise=_strip),
    FieldSpec("goals", _("验证目标"), max_length=2000, normalise=_strip),
    FieldSpec("results", _("验证结果"), max_length=2000, normalise=_strip),
    FieldSpec("transferred_to", _("转化去向"), max_length=200, normalise=_strip),
)

SERVICE_FIELDS = FieldSpecs(
    FieldSpec("name", _("服务名称"), required=True, min_length=2, max_length=120, normalise=_strip),
    FieldSpec("kind", _("服务类别"), required=True),
    FieldSpec("unit", _("计价单位"), required=True, max_length=20, normalise=_strip),
    FieldSpec("price", _("单价（元）"), min_value=0, max_value=9999999999),
    FieldSpec("lead_time_days", _("周期（天）"), min_value=0, max_value=3650),
    FieldSpec("requirements", _("需求方须提供"), max_length=1000, normalise=_strip),
    FieldSpec("description", _("服务说明"), max_length=2000, normalise=_strip),
)
