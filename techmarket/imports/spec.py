"""What an Excel round trip needs to know about one catalogue type: its columns and how to save a row.

A spec is declarative: the reader, the template builder and the exporter are generic and read it.
Saving goes through the owning app's services (never model writes), so validation and audit apply.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Choices = Sequence[tuple[Any, Any]] | Callable[[], Iterable[tuple[Any, Any]]]  # labels may be lazy

EXTERNAL_KEY_HEADER = "外部编号"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"  # one value, written as its Chinese label
    MULTI = "multi"  # several labels separated by 、 , ， ; ；
    CODE = "code"  # a code from a reference table (GB/T 4754, GB/T 2260 ...)
    BOOL = "bool"  # 是 / 否
    CUSTOM = "custom"  # parsed and formatted by the column's own callables


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: Choices | None = None
    # What the template's dropdown offers when it should be shorter than every valid code.
    dropdown: Choices | None = None
    # Value used for an empty optional cell (None: the kind's empty value: "", [] or None).
    default: Any = None
    max_length: int | None = None
    decimal_places: int = 2
    # INT/DECIMAL columns: units people write after the number and that mean this column's unit ("50万元").
    units: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    help: str = ""
    example: str = ""
    width: int = 16
    # Confidential or identifying columns: exported only when the caller asks for them.
    sensitive: bool = False
    # Columns that name an anonymous item's owner (e.g. patent numbers): exported blank unless the
    # user may see the owner or was granted access (catalog.visibility.can_see_identifying_details).
    identifying: bool = False
    # CUSTOM columns: parse(text) -> value (raise ValueError(problem, expected)); fmt(value) -> text.
    parse: Callable[[str], Any] | None = None
    fmt: Callable[[Any], str] | None = None
    # Normalise a code before lookup, e.g. "C26" -> "26"; CODE columns only.
    normalise: Callable[[str], str] | None = None
    # Read the model attribute for export (defaults to getattr(obj, field)).
    getter: Callable[[Any], Any] | None = None

    def choice_pairs(self) -> list[tuple[Any, str]]:
        if self.choices is None:
            return []
        pairs = self.choices() if callable(self.choices) else self.choices
        return [(code, str(label)) for code, label in pairs]

    def dropdown_pairs(self) -> list[tuple[Any, str]]:
        if self.dropdown is None:
            return self.choice_pairs()
        pairs = self.dropdown() if callable(self.dropdown) else self.dropdown
        return [(code, str(label)) for code, label in pairs]

    def empty_value(self) -> Any:
        if self.default is not None:
            return self.default
        if self.kind == Kind.TEXT:
            return ""
        if self.kind == Kind.MULTI:
            return []
        return None


@dataclass(frozen=True)
class ExportColumn:
    """A read-only column added to exports (owner name, status ...): value(obj, user) -> text."""

    header: str
    value: Callable[[Any, Any], Any]
    width: int = 16


@dataclass(frozen=True)
class ImportSpec:
    key: str
    title: str
    columns: list[Column]
    load_existing: Callable[[Any, list[str]], dict[str, Any]]
    save: Callable[[dict[str, Any], Any, Any, Any], Any]
    external_key_field: str = "external_key"
    export_columns: list[ExportColumn] = field(default_factory=list)
    # The organisations a user may import into: owner_choices(user) -> list (default: all of theirs).
    owner_choices: Callable[[Any], list[Any]] | None = None
    # Who may export private columns of an item: can_edit(user, obj) -> bool.
    can_edit: Callable[[Any, Any], bool] | None = None
    # The type's visibility selector applied to GET filters: list_visible(user, params) -> QuerySet.
    list_visible: Callable[[Any, Any], Any] | None = None
    # Imported items start as drafts that go through review (the template says so; 本机构的… offers
    # "submit all drafts"). Drafts and the submit action come from the catalogue registry (the type's
    # rows and workflow transition) unless a spec declares its own:
    creates_drafts: bool = False
    # drafts(owner) -> QuerySet of the owner's drafts; submit(item, user) submits one.
    drafts: Callable[[Any], Any] | None = None
    submit: Callable[[Any, Any], Any] | None = None

    @property
    def external_key_column(self) -> Column:
        return next(c for c in self.columns if c.field == self.external_key_field)

    def column_for_field(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)
