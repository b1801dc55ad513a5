"""Bootstrap classes and accessibility attributes for every form, set once here."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms


class StyledFormMixin:
    """Adds Bootstrap classes, aria-invalid and aria-describedby to the widgets of a form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            _replace_dashes(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{name}_help")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"


def with_all(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A filter's choices led by the empty value 全部 (no filter on this field)."""
    from django.utils.translation import gettext_lazy as _

    return [("", _("全部")), *choices]


def keyword_field(placeholder: Any) -> forms.CharField:
    """A list's free-text search box shown without a label: the placeholder says what is searched, the
    aria-label names it for screen readers."""
    from django.utils.translation import gettext_lazy as _

    return forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": placeholder, "aria-label": _("关键词")}),
    )


DASHES = "---------"


def _replace_dashes(field: forms.Field) -> None:
    """Django's empty choice "---------" reads as a glitch: say 请选择 (required) or 不限/不填 instead."""
    from django.utils.translation import gettext_lazy as _

    word = _("请选择") if field.required else _("请选择（可不填）")
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = word  # read lazily by ModelChoiceIterator
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices = list(cast(Iterable[tuple[Any, Any]], field.choices))
        if any(value == "" and label == DASHES for value, label in choices):
            field.choices = [
                (value, word if value == "" and label == DASHES else label) for value, label in choices
            ]


class StyledForm(StyledFormMixin, forms.Form):
    pass


def attach_errors(form: forms.BaseForm, exc: Any, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError (or PermissionDenied) on the form fields it names.

    ``aliases`` maps a service's field name to the form's where they differ; errors for names the
    form does not have go to the form as a whole.
    """
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("您无权执行此操作。"))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field if field in form.fields else (aliases or {}).get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
