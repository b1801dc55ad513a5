"""One description per need field: the service, the web form, the API schema and the Excel columns use these."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.catalog.text import clean_markup
from techmarket.core.fieldspec import FieldSpec, FieldSpecs
from techmarket.core.money import money
from techmarket.core.text import word_list

from .models import CooperationMode, NeedKind

BUDGET_MAX = Decimal("9999999999")
# Real titles can be two characters (冰箱); one is never enough.
MIN_TITLE_LENGTH = 2


def _text(label: Any) -> Any:
    def normalise(value: Any) -> str:
        # Harmless markup (<br>, <i>) is removed; scripts, handlers and links are refused.
        return clean_markup(str(value).strip(), str(label))

    return normalise


def _text_field(name: str, label: Any, max_length: int, **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, max_length=max_length, normalise=_text(label), **extra)


def _parameters(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValidationError(_("技术指标应为列表。"))
    cleaned, problems = [], []
    for number, row in enumerate(value, start=1):
        if hasattr(row, "dict"):  # an API schema object
            row = row.dict()
        if (
            not isinstance(row, dict)
            or not str(row.get("indicator", "")).strip()
            or not str(row.get("target", "")).strip()
        ):
            problems.append(_("第 %(n)d 项技术指标缺少“指标”或“目标值”。") % {"n": number})
            continue
        cleaned.append({k: str(row.get(k, "")).strip()[:100] for k in ("indicator", "target", "unit")})
    if problems:
        raise ValidationError(problems)
    return cleaned


def _kind(value: Any) -> None:
    if value not in NeedKind.values:
        raise ValidationError(
            _("需求类型只能是：%(v)s。") % {"v": word_list(str(label) for label in NeedKind.labels)}
        )


def _modes(value: Any) -> None:
    unknown = [m for m in value if m not in CooperationMode.values]
    if unknown:
        raise ValidationError(_("未知的合作方式：%(v)s。") % {"v": word_list(map(str, unknown))})


def _not_past(value: Any) -> None:
    if value < timezone.localdate():
        raise ValidationError(_("截止日期不能早于今天。"))


def _budget_ordered(data: dict[str, Any]) -> dict[str, str]:
    low, high = data.get("budget_min"), data.get("budget_max")
    if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
        return {
            "budget_max": _("预算上限（%(h)s）不能低于下限（%(l)s）。")
            % {"h": money(Decimal(str(high)) * 10000, "万元"), "l": money(Decimal(str(low)) * 10000, "万元")}
        }
    return {}


_BUDGET_MESSAGES = {"min_value": gettext_lazy("预算不能为负数。")}
_CYCLE_MESSAGES = {
    "min_value": gettext_lazy("研发周期应在 1–120 个月之间。"),
    "max_value": gettext_lazy("研发周期应在 1–120 个月之间。"),
}

NEED_FIELDS = FieldSpecs(
    _text_field(
        "title",
        gettext_lazy("标题"),
        120,
        required=True,
        min_length=MIN_TITLE_LENGTH,
        help=gettext_lazy("2–120 字，写清要解决的技术问题"),
        messages={"min_length": gettext_lazy("标题至少 2 个字，请写清要解决的技术问题。")},
    ),
    _text_field(
        "summary",
        gettext_lazy("公开摘要"),
        2000,
        required=True,
        help=gettext_lazy("对所有可见用户展示的简介，不要写保密内容"),
    ),
    _text_field("confidential_detail", gettext_lazy("保密详情"), 20000),
    _text_field("background", gettext_lazy("需求背景"), 5000),
    _text_field("problem", gettext_lazy("技术难题"), 5000, help=gettext_lazy("要解决的具体技术问题")),
    _text_field("current_solution", gettext_lazy("现有方案及不足"), 5000),
    _text_field("expected_outcome", gettext_lazy("预期成果"), 5000),
    FieldSpec("kind", gettext_lazy("需求类型"), validators=(_kind,)),
    FieldSpec("parameters", gettext_lazy("技术指标"), normalise=_parameters),
    FieldSpec("cooperation_modes", gettext_lazy("合作方式"), validators=(_modes,)),
    FieldSpec(
        "budget_min",
        gettext_lazy("预算下限（万元）"),
        min_value=0,
        max_value=BUDGET_MAX,
        messages=_BUDGET_MESSAGES,
        help=gettext_lazy("单位：万元"),
    ),
    FieldSpec(
        "budget_max",
        gettext_lazy("预算上限（万元）"),
        min_value=0,
        max_value=BUDGET_MAX,
        messages=_BUDGET_MESSAGES,
        help=gettext_lazy("单位：万元，不低于预算下限"),
    ),
    FieldSpec(
        "rd_cycle_months",
        gettext_lazy("研发周期（月）"),
        min_value=1,
        max_value=120,
        messages=_CYCLE_MESSAGES,
        help=gettext_lazy("1–120 个月"),
    ),
    FieldSpec("deadline", gettext_lazy("截止日期"), validators=(_not_past,)),
    FieldSpec("contact_name", gettext_lazy("联系人"), max_length=32),
    FieldSpec("contact_phone", gettext_lazy("联系电话"), max_length=20),
    FieldSpec("external_key", gettext_lazy("外部编号"), max_length=64),
    checks=[_budget_ordered],
)
