"""{% load form_errors %}: the summary of a rejected form at its top (includes/form.html)."""

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def invalid_fields(form: forms.BaseForm) -> list[Any]:
    """The visible fields that carry an error, in the form's order, to link to from the summary."""
    return [field for field in form.visible_fields() if field.errors]
