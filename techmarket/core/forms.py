"""Bootstrap classes and accessibility attributes for every form, set once here."""

from typing import Any

from django import forms


class StyledFormMixin:
    """Adds Bootstrap classes, aria-invalid and aria-describedby to the widgets of a form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
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
