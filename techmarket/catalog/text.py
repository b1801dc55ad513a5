"""Checks for free text that users type into catalogue items."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A tag name followed by attributes or the closing bracket; "P<O.001)…>" in an abstract is not a tag.
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s+[^<>]*)?\s*/?>")


def reject_html(value: str, field_label: str) -> str:
    """Text is shown escaped everywhere; a tag in it is almost always a paste accident or an attack."""
    match = _TAG.search(value or "")
    if match:
        raise ValidationError(
            _("“%(field)s”中含有 HTML 标签 %(tag)s：请只填写纯文本。")
            % {"field": field_label, "tag": match.group(0)[:30]}
        )
    return value


# Formatting that office files and web pages carry into abstracts: removed (line breaks kept), never refused.
HARMLESS_TAGS = {
    "br",
    "p",
    "div",
    "span",
    "i",
    "em",
    "b",
    "strong",
    "u",
    "sub",
    "sup",
    "font",
    "small",
    "big",
    "s",
    "strike",
    "li",
    "ul",
    "ol",
}
# Markup that runs, loads or links something: refused. Other <…> (e.g. <Journal of Mountain Science>, a
# title in angle brackets in Chinese texts) is not HTML and is kept as typed; text is shown escaped anyway.
DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "img",
    "image",
    "svg",
    "math",
    "a",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "link",
    "meta",
    "base",
    "video",
    "audio",
    "source",
    "track",
    "picture",
    "template",
    "noscript",
    "html",
    "body",
    "head",
    "title",
    "xml",
    "marquee",
    "portal",
    "dialog",
    "details",
}
_BREAK_TAGS = {"br", "p", "div", "li"}
_ANY_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)((?:[\s/]+[^<>]*)?)\s*/?>")
_DANGEROUS_ATTRIBUTE = re.compile(r"(^|\s)on[a-z]+\s*=|javascript:|vbscript:|expression\s*\(", re.IGNORECASE)


def clean_markup(value: str, field_label: str) -> str:
    """Strip harmless formatting tags (<br>, <p>, <i>, <sub> …; breaks become new lines), refuse markup
    that runs or loads something (script, img, a, iframe, svg, style … or any tag with event handlers or
    script URLs), and keep other angle-bracketed text as typed."""
    text = value or ""

    def replace(match: re.Match[str]) -> str:
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3) or ""
        if name in DANGEROUS_TAGS or _DANGEROUS_ATTRIBUTE.search(attributes):
            raise ValidationError(
                _(
                    "“%(field)s”中含有不允许的 HTML 标签 %(tag)s：请只填写纯文本（<br>、<p>、<i>、<b>、<sub>、<sup> 等"
                    "排版标签会被自动去掉）。"
                )
                % {"field": field_label, "tag": match.group(0)[:30]}
            )
        if name not in HARMLESS_TAGS:
            return match.group(0)
        return "\n" if name in _BREAK_TAGS and (name == "br" or closing or name == "li") else ""

    if "<" not in text:
        return text
    cleaned = _ANY_TAG.sub(replace, text).replace("&nbsp;", " ")
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()
