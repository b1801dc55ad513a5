"""One description per field: the rules a web form, an API schema and an Excel column share.

An app declares its fields once (e.g. ``needs/fields.py``)::

    NEED_FIELDS = FieldSpecs(
        FieldSpec("title", _("标题"), required=True, min_length=4, max_length=120,
                  messages={"min_length": _("标题至少 4 个字，请写清要解决的技术问题。")}),
        FieldSpec("rd_cycle_months", _("研发周期（月）"), min_value=1, max_value=120, ...),
        checks=[budget_ordered],
    )

and then
- the service calls ``NEED_FIELDS.clean(data)`` (normalises, checks every rule, raises one
  ``ValidationError`` naming the fields): the one place a rule is enforced;
- the Django form calls ``NEED_FIELDS.apply_to_form(form)`` (max length, bounds, help text and the same
  validators on its fields) and ``NEED_FIELDS.clean_form(form)`` in ``clean`` for cross-field rules;
- the ninja schema declares ``title: str = NEED_FIELDS.schema("title")`` (length and bounds in OpenAPI);
- the Excel column takes ``**NEED_FIELDS.column("title")`` (required, max_length, bounds, help).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Check = Callable[[dict[str, Any]], dict[str, str]]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    required: bool = False
    max_length: int | None = None
    min_length: int | None = None
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    help: Any = ""
    # normalise(value) -> value, run before the checks (strip text, clean a list …); may raise ValidationError
    normalise: Callable[[Any], Any] | None = None
    # validators(value) raise ValidationError with the message a person reads
    validators: tuple[Callable[[Any], None], ...] = ()
    # message overrides: "required", "min_length", "max_length", "min_value", "max_value"; they may name
    # %(f)s (the label), %(n)s (the limit) and, for the bounds, %(v)s (the value given)
    messages: dict[str, Any] = field(default_factory=dict)

    def _msg(self, key: str, default: str, **params: Any) -> str:
        text = self.messages.get(key)
        return str(text) % params if text is not None else default % params

    def errors(self, value: Any) -> list[str]:
        """The problems with an already normalised value (empty list when it is fine)."""
        if value in (None, "", []):
            return [self._msg("required", _("请填写“%(f)s”。"), f=self.label)] if self.required else []
        problems: list[str] = []
        if isinstance(value, str):
            if self.min_length is not None and len(value) < self.min_length:
                problems.append(
                    self._msg("min_length", _("“%(f)s”至少 %(n)d 个字。"), f=self.label, n=self.min_length)
                )
            if self.max_length is not None and len(value) > self.max_length:
                problems.append(
                    self._msg(
                        "max_length",
                        _("“%(f)s”最多 %(n)d 个字（现在 %(c)d 个）。"),
                        f=self.label,
                        n=self.max_length,
                        c=len(value),
                    )
                )
        if self.min_value is not None or self.max_value is not None:
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                return [_("“%(f)s”应为数字。") % {"f": self.label}]
            if self.min_value is not None and number < self.min_value:
                problems.append(
                    self._msg(
                        "min_value", _("“%(f)s”不能小于 %(n)s。"), f=self.label, n=self.min_value, v=value
                    )
                )
            if self.max_value is not None and number > self.max_value:
                problems.append(
                    self._msg(
                        "max_value", _("“%(f)s”不能大于 %(n)s。"), f=self.label, n=self.max_value, v=value
                    )
                )
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as exc:
                problems.extend(exc.messages)
        return problems

    def validate(self, value: Any) -> None:
        """A Django validator: the same rules, for a form field."""
        if problems := self.errors(value):
            raise ValidationError(problems)

    def form_attrs(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        if self.max_length is not None:
            attrs["maxlength"] = self.max_length
        if self.min_value is not None:
            attrs["min"] = self.min_value
        if self.max_value is not None:
            attrs["max"] = self.max_value
        return attrs

    def schema(self, default: Any = ..., **extra: Any) -> Any:
        """A ninja/pydantic ``Field`` with the same length limit and the bounds in the OpenAPI schema. Bounds are
        documented, not enforced by pydantic, so a client gets the service's Chinese message, not a parser's."""
        from ninja import Field

        kwargs: dict[str, Any] = {"description": str(self.help or self.label)}
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        bounds = {
            key: float(value)
            for key, value in (("minimum", self.min_value), ("maximum", self.max_value))
            if value is not None
        }
        if bounds:
            kwargs["json_schema_extra"] = bounds
        kwargs.update(extra)
        return Field(default, **kwargs)

    def column(self) -> dict[str, Any]:
        """Keyword arguments for an Excel import ``Column`` (imports.spec) with the same rules."""
        kwargs: dict[str, Any] = {"required": self.required}
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        if self.min_value is not None:
            kwargs["min_value"] = self.min_value
        if self.max_value is not None:
            kwargs["max_value"] = self.max_value
        return kwargs


class FieldSpecs:
    """The field descriptions of one model, plus the rules that involve several fields."""

    def __init__(self, *specs: FieldSpec, checks: Iterable[Check] = ()) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.checks = tuple(checks)

    def __getitem__(self, name: str) -> FieldSpec:
        return self.specs[name]

    def schema(self, name: str, default: Any = ..., **extra: Any) -> Any:
        return self.specs[name].schema(default, **extra)

    def column(self, name: str, **overrides: Any) -> dict[str, Any]:
        """The column's keyword arguments; ``overrides`` where the sheet differs on purpose (e.g. a column
        required in the sheet for a field a draft may leave empty)."""
        return {**self.specs[name].column(), **overrides}

    def clean(self, data: dict[str, Any], *, partial: bool = True) -> dict[str, Any]:
        """Normalise and check ``data`` (only the keys present when ``partial``); one ValidationError naming
        every field that is wrong, with messages a person can act on."""
        errors: dict[str, list[str]] = {}
        for name, spec in self.specs.items():
            if name not in data:
                if not partial and spec.required:
                    errors.setdefault(name, []).append(_("请填写“%(f)s”。") % {"f": spec.label})
                continue
            value = data[name]
            if value is not None and spec.normalise is not None:
                try:
                    value = data[name] = spec.normalise(value)
                except ValidationError as exc:
                    errors.setdefault(name, []).extend(exc.messages)
                    continue
            if value is None and not spec.required:
                continue
            if problems := spec.errors(value):
                errors.setdefault(name, []).extend(problems)
        if not errors:
            for check in self.checks:
                for name, message in check(data).items():
                    errors.setdefault(name, []).append(str(message))
        if errors:
            raise ValidationError(errors)
        return data

    def apply_to_form(self, form: Any) -> None:
        """Give the form's fields the same limits, help text and validators (errors show next to the field)."""
        for name, spec in self.specs.items():
            form_field = form.fields.get(name)
            if form_field is None:
                continue
            if spec.help and not form_field.help_text:
                form_field.help_text = spec.help
            form_field.widget.attrs.update(spec.form_attrs())
            if _NonEmpty(spec) not in form_field.validators:
                form_field.validators.append(_NonEmpty(spec))

    def clean_form(self, form: Any) -> None:
        """Run the cross-field rules on a form's cleaned data, attaching errors to the named fields."""
        data = {k: v for k, v in form.cleaned_data.items() if k in self.specs}
        for check in self.checks:
            for name, message in check(data).items():
                form.add_error(name if name in form.fields else None, message)


class _NonEmpty:
    """A form validator that leaves "required" to the form and checks the rest of the spec."""

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec

    def __call__(self, value: Any) -> None:
        if value in (None, "", []):
            return
        if self.spec.normalise is not None:
            value = self.spec.normalise(value)
        self.spec.validate(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NonEmpty) and other.spec is self.spec

    def __hash__(self) -> int:
        return hash(self.spec.name)
