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
