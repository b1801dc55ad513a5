"""The catalogue-type registry: every listable type declares itself once, in its AppConfig.ready().

Shared code — expiry, saved searches, matching, Excel import/export, the JSON API, the workspace and
the main navigation — asks this registry which types exist and what each provides. It never imports
the apps above it (needs, achievements, experts, ...), and nothing outside an app names its type:
adding a type is a matter of one ``register(CatalogueType(...))`` call (docs/adding-a-domain.md).

The order of ``all_types()`` (``order``, then key) is the order of navigation entries, workspace
panels, API routers and index rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse


class UnknownCatalogueType(LookupError):
    pass


@dataclass(frozen=True)
class MatchingSpec:
    """How the matching app indexes a type and what its pages suggest."""

    kind: str  # engine kind and document-id prefix, e.g. "need" (documents "need:12")
    document: Callable[[Any], Any]  # item -> techmatch.Document, public text only
    indexable: Callable[[], QuerySet[Any]]  # every item the index holds (all visibility levels)
    is_indexable: Callable[[Any], bool]
    listed: Callable[[QuerySet[Any]], QuerySet[Any]]  # narrow a visible queryset to indexable items
    suggests: tuple[str, ...] = ()  # catalogue keys suggested on this type's detail page, tab order
    tab_label: Any = ""  # the tab listing suggestions of this type, e.g. "匹配的科技成果"
    # After publication: re-match and notify (matching.services.rematch_published calls it with the item).
    on_published: Callable[[Any], dict[str, int]] | None = None
    # Brokers may recommend matches to this type's owners (the workbench's "推荐给企业").
    receives_recommendations: bool = False
    # Suggestion filters that make sense when this type is the target (matching.views toggles).
    trl_filter: bool = False
    mode_filter: bool = False
    # The broker workbench starts from items of this type and reviews candidates of ``workbench_target``;
    # ``workbench_card`` is the template showing the source item beside them.
    workbench_target: str = ""
    workbench_card: str = ""


@dataclass(frozen=True)
class Navigation:
    label: Any  # the main menu's entry, e.g. "需求"
    url_name: str = ""  # defaults to "<key>:list"
    group: str = ""  # a key of core.navigation.GROUPS: the entry goes into that drop-down menu
    order: int | None = None  # place in the menu (or in its group); defaults to the type's order


@dataclass(frozen=True)
class QuickAction:
    """A button in the workspace's row of common actions."""

    label: Any
    url_name: str
    args: tuple[Any, ...] = ()
    audience: str = "publisher"  # "publisher": member of an approved organisation; "operator"
    style: str = "btn-outline-primary"


@dataclass(frozen=True)
class ListingPages:
    """Titles, messages and the list template of the shared listing pages (catalog.listing_views)."""

    list_title: Any  # "技术需求"
    mine_title: Any  # "本机构的需求"
    review_title: Any  # "待审核的需求"
    action_success: Any  # "操作成功：需求当前状态为“%(s)s”。"
    owner_noun: Any  # "需求方": who grants access to confidential details
    list_template: str  # the type's list template: unpacks ``rows`` with the type's own columns
    # Rows of a list page: rows(request, page, own) -> tuples; default (item, owner label).
    rows: Callable[[Any, Any, bool], list[Any]] | None = None
    # The workflow transition: transition(item=, action=, acting_user=, reason=); default
    # catalog.workflow.listing_transition (a type may check more first, e.g. completeness on submit).
    transition: Callable[..., Any] | None = None
    # Before a workflow action from the detail page: precheck(request, item, action) -> a URL to send the
    # user to instead (e.g. the detail page with a duplicate warning to confirm), or "" to go ahead.
    precheck: Callable[[Any, Any, str], str] | None = None


@dataclass(frozen=True)
class CatalogueType:
    """One listable type and everything shared code needs to know about it."""

    key: str  # plural: URL namespace and prefix, saved-search target, import key, API prefix ("needs")
    model: type[Model]
    label: Any  # plural, in the UI: "技术需求"
    list_visible: Callable[..., QuerySet[Any]]  # THE selector: (user, **filters) -> visible items
    get_visible: Callable[[Any, int], Any]  # (user, pk) -> item, Http404 when not visible
    pk_kwarg: str  # the detail URL's keyword, e.g. "need_id"
    order: int = 100
    title_attr: str = "title"  # what names one item in lists, mails and suggestions ("name" for experts)
    filter_form: type | None = None  # a form with selector_filters() -> kwargs of list_visible
    saved_search: bool = False  # users may subscribe to the filtered list page
    expires: bool = False  # a Listing that expires after LISTING_EXPIRY_DAYS (catalog.expiry)
    review: bool = False  # goes through the listing review workflow (drafts, operators' queue)
    import_spec: Callable[[], Any] | None = None  # lazy: () -> imports.spec.ImportSpec
    api_router: str = ""  # dotted path of a django-ninja Router mounted at /api/<key>
    matching: MatchingSpec | None = None
    navigation: Navigation | None = None
    workspace_panel: Callable[[Any], dict[str, Any] | None] | None = None
    quick_actions: tuple[QuickAction, ...] = ()
    pages: ListingPages | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label_lower(self) -> str:
        """ "needs.need": the label catalog.events passes to listeners."""
        return self.model._meta.label_lower

    @property
    def list_url_name(self) -> str:
        return f"{self.key}:list"

    @property
    def detail_url_name(self) -> str:
        return f"{self.key}:detail"

    def detail_url(self, item: Any) -> str:
        try:
            return reverse(self.detail_url_name, kwargs={self.pk_kwarg: item.pk})
        except NoReverseMatch:
            return ""

    def list_url(self) -> str:
        try:
            return reverse(self.list_url_name)
        except NoReverseMatch:
            return ""

    def title_of(self, item: Any) -> str:
        return str(getattr(item, self.title_attr, "") or item)

    def system_queryset(self) -> QuerySet[Any]:
        """Every row, for services, tasks and commands that act for the platform (not for a user)."""
        manager = self.model._default_manager
        return manager.unscoped() if hasattr(manager, "unscoped") else manager.all()  # type: ignore[no-any-return]


_TYPES: dict[str, CatalogueType] = {}


def register(ctype: CatalogueType) -> CatalogueType:
    """Called once per type from its AppConfig.ready(); registering the same key twice is a bug."""
    existing = _TYPES.get(ctype.key)
    if existing is not None and existing.model is not ctype.model:
        raise ValueError(f"catalogue type {ctype.key!r} is already registered for {existing.model}")
    _TYPES[ctype.key] = ctype
    return ctype


def unregister(key: str) -> None:
    """For tests that plug in a temporary type."""
    _TYPES.pop(key, None)


def all_types() -> list[CatalogueType]:
    return sorted(_TYPES.values(), key=lambda t: (t.order, t.key))


def get(key: str) -> CatalogueType:
    try:
        return _TYPES[key]
    except KeyError:
        raise UnknownCatalogueType(key) from None


def find(key: str) -> CatalogueType | None:
    return _TYPES.get(key)


def for_model(model_or_label: Any) -> CatalogueType | None:
    """The type of a model class, an instance or a "app.model" label."""
    if isinstance(model_or_label, str):
        label = model_or_label.lower()
        return next((t for t in _TYPES.values() if t.label_lower == label), None)
    model = model_or_label if isinstance(model_or_label, type) else type(model_or_label)
    return next((t for t in _TYPES.values() if issubclass(model, t.model)), None)


def for_kind(kind: str) -> CatalogueType | None:
    """The type whose matching kind is ``kind`` ("need")."""
    return next((t for t in _TYPES.values() if t.matching and t.matching.kind == kind), None)


def matchable() -> list[CatalogueType]:
    return [t for t in all_types() if t.matching is not None]


def workbench_source() -> CatalogueType | None:
    """The type the matching workbench starts from (the first that declares a workbench target)."""
    return next((t for t in matchable() if t.matching and t.matching.workbench_target), None)


def expiring() -> list[CatalogueType]:
    return [t for t in all_types() if t.expires]


def saved_search_types() -> list[CatalogueType]:
    return [t for t in all_types() if t.saved_search]


def saved_search_choices() -> list[tuple[str, Any]]:
    """Choices of notifications.SavedSearch.target (a callable, so a new type needs no migration)."""
    return [(t.key, t.label) for t in saved_search_types()]


def importable() -> list[CatalogueType]:
    return [t for t in all_types() if t.import_spec is not None]
