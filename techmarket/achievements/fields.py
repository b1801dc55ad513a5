"""One description per achievement field: the service, the web form, the API schema and the Excel columns
use these (techmarket.core.fieldspec)."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.catalog.text import clean_markup
from techmarket.core.fieldspec import FieldSpec, FieldSpecs
from techmarket.core.text import word_list

from .models import Empowerment

# Real titles can be two characters (冰箱, 显微镜); one is never enough.
MIN_TITLE_LENGTH = 2
MAX_KEYWORDS, MAX_KEYWORD_LENGTH = 20, 30
PRICE_MAX = Decimal("9999999999.99")
KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")


def _text(label: Any) -> Any:
    def normalise(value: Any) -> str:
        # Harmless markup (<br>, <i>) is removed; scripts, handlers and links are refused.
        return clean_markup(str(value).strip(), str(label))

    return normalise


def _text_field(name: str, label: Any, max_length: int, **extra: Any) -> FieldSpec:
    return FieldSpec(name, label, max_length=max_length, normalise=_text(label), **extra)


def _keywords(value: Any) -> list[str]:
    """A list (or a text split at 、，；and spaces) of distinct keywords, each cleaned of markup."""
    words = KEYWORD_SPLIT.split(value) if isinstance(value, str) else value
    if not isinstance(words, list | tuple):
        raise ValidationError(_("关键词应为字符串列表。"))
    cleaned: list[str] = []
    problems: list[str] = []
    for word in (str(w).strip() for w in words):
        if not word or word in cleaned:
            continue
        try:
            word = clean_markup(word, str(_("关键词")))
        except ValidationError as exc:
            problems.append(exc.messages[0])
        if not word:
            continue
        if len(word) > MAX_KEYWORD_LENGTH:
            problems.append(
                _("关键词“%(w)s”无效：每个关键词最多 %(n)d 个字。")
                % {"w": word[:40], "n": MAX_KEYWORD_LENGTH}
            )
        cleaned.append(word)
    if len(cleaned) > MAX_KEYWORDS:
        problems.append(_("关键词最多 %(n)d 个（当前 %(m)d 个）。") % {"n": MAX_KEYWORDS, "m": len(cleaned)})
    if problems:
        raise ValidationError(problems)
    return cleaned


def _trl(value: Any) -> int:
    try:
        level = int(value)
        if str(level) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError(
            _("技术成熟度（TRL）应为 1–9 的整数（当前为“%(v)s”）。") % {"v": value}
        ) from None
    return level


def _price(value: Any) -> Decimal:
    try:
        price = Decimal(str(value))
        if not price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError(_("报价应为数字（单位：万元）。")) from None
    return price


def _empowerment(value: Any) -> None:
    if value not in Empowerment.values:
        raise ValidationError(_("赋权状态只能是：%(v)s。") % {"v": word_list(map(str, Empowerment.labels))})


_TRL_MESSAGE = gettext_lazy("技术成熟度（TRL）应为 1–9 的整数（当前为“%(v)s”）。")
_SHARE_MESSAGE = gettext_lazy("完成人所占份额应在 0–100%% 之间。")

ACHIEVEMENT_FIELDS = FieldSpecs(
    _text_field(
        "title",
        gettext_lazy("标题"),
        120,
        required=True,
        min_length=MIN_TITLE_LENGTH,
        help=gettext_lazy("2–120 字，写清成果解决什么问题"),
        messages={"min_length": gettext_lazy("标题至少 %(n)d 个字，请写清成果解决什么问题。")},
    ),
    _text_field(
        "summary",
        gettext_lazy("公开摘要"),
        2000,
        required=True,
        help=gettext_lazy("对所有可见用户展示的简介，不要写保密内容"),
    ),
    _text_field("confidential_detail", gettext_lazy("保密详情"), 20000),
    _text_field("advantages", gettext_lazy("技术优势"), 5000),
    _text_field("route_to_market", gettext_lazy("产业化路径"), 5000),
    FieldSpec("keywords", gettext_lazy("关键词"), normalise=_keywords),
    FieldSpec(
        "trl",
        gettext_lazy("技术成熟度（TRL）"),
        min_value=1,
        max_value=9,
        normalise=_trl,
        help=gettext_lazy("技术成熟度 1–9（GB/T 22900-2022）"),
        messages={"min_value": _TRL_MESSAGE, "max_value": _TRL_MESSAGE},
    ),
    FieldSpec(
        "asking_price_wan",
        gettext_lazy("报价（万元）"),
        min_value=0,
        max_value=PRICE_MAX,
        normalise=_price,
        help=gettext_lazy("单位：万元"),
        messages={
            "min_value": gettext_lazy("报价不能为负数。"),
            "max_value": gettext_lazy("报价过大：请以“万元”为单位填写。"),
        },
    ),
    FieldSpec("empowerment", gettext_lazy("赋权状态"), validators=(_empowerment,)),
    FieldSpec(
        "empowerment_share",
        gettext_lazy("完成人所占份额（%）"),
        min_value=0,
        max_value=100,
        messages={"min_value": _SHARE_MESSAGE, "max_value": _SHARE_MESSAGE},
    ),
    FieldSpec("external_key", gettext_lazy("外部编号"), max_length=64),
)
