"""One description per field of an event: the service, the form and the API schema share it."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.core.fieldspec import FieldSpec, FieldSpecs


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _dates_in_order(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    starts, ends, deadline = data.get("starts_at"), data.get("ends_at"), data.get("registration_deadline")
    meetings = data.get("meetings_start")
    if starts and ends and ends < starts:
        errors["ends_at"] = _("结束时间不能早于开始时间。")
    if starts and deadline and ends and deadline > ends:
        errors["registration_deadline"] = _("报名截止时间不能晚于活动结束时间。")
    if meetings and starts and ends and not (starts <= meetings <= ends):
        errors["meetings_start"] = _("洽谈开始时间应在活动时间之内。")
    if data.get("meeting_slots") and not meetings:
        errors["meetings_start"] = _("设置了洽谈时段时，请填写洽谈开始时间。")
    return errors


EVENT_FIELDS = FieldSpecs(
    FieldSpec("title", _("活动名称"), required=True, min_length=4, max_length=120, normalise=_strip),
    FieldSpec("summary", _("活动简介"), required=True, min_length=10, max_length=4000, normalise=_strip),
    FieldSpec("fields", _("领域与产业链"), max_length=200, normalise=_strip),
    FieldSpec("audience", _("面向对象"), max_length=200, normalise=_strip),
    FieldSpec("agenda", _("议程"), max_length=4000, normalise=_strip),
    FieldSpec("venue", _("地点"), max_length=200, normalise=_strip),
    FieldSpec("starts_at", _("开始时间"), required=True),
    FieldSpec("ends_at", _("结束时间"), required=True),
    FieldSpec("registration_deadline", _("报名截止"), required=True),
    FieldSpec("meetings_start", _("洽谈开始时间")),
    FieldSpec("capacity", _("名额"), required=True, min_value=1, max_value=5000),
    FieldSpec("meeting_minutes", _("每场洽谈（分钟）"), min_value=5, max_value=240),
    FieldSpec("meeting_slots", _("洽谈时段数"), min_value=0, max_value=48),
    FieldSpec("meeting_tables", _("洽谈桌数"), min_value=0, max_value=200),
    checks=[_dates_in_order],
)
