"""The form renderer: Django's templates, except for the select box, which is written out in Python.

Django renders a <select> through one template include per <option>; a filter form with the national
code tables (98 industries, 62 disciplines, the regions) spent ~40 ms of CPU per list page there. The
output is the same markup Django's select.html / select_option.html / attrs.html produce (a test
compares the two on every select of the catalogue filter forms); a widget with its own templates goes
through the templates as before.
"""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value: Any) -> str:
    """{{ value }} in a template (django.template.base.render_value_in_context, autoescaping)."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return str(conditional_escape(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html (whose values go through |stringformat:'s')."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(value)}"')
    return "".join(out)


def render_select(widget: dict[str, Any]) -> str | None:
    """select.html for this widget context, or None when an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT and isinstance(context.get("widget"), dict):
            html = render_select(context["widget"])
            if html is not None:
                return SafeString(html)
        return super().render(template_name, context, request)  # type: ignore[no-any-return]
