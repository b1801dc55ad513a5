"""One page format for every list endpoint: {"count": N, "page": p, "page_size": s, "items": [...]}."""

from collections.abc import Callable
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PagePagination(PaginationBase):
    max_page_size = 100

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从 1 开始")
        page_size: int = Field(20, ge=1, le=100, description="每页条数（1–100）")

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: Any = None, **params: Any
    ) -> dict[str, Any]:
        start = (pagination.page - 1) * pagination.page_size
        return {
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": queryset[start : start + pagination.page_size],
        }


class LazyRows:
    """Lets the paginator count and slice a queryset, then renders only the page's rows:
    ``return LazyRows(request, qs, render)`` from a ``@paginate(PagePagination)`` endpoint."""

    def __init__(self, request: Any, qs: Any, render: Callable[[Any, Any], dict[str, Any]]) -> None:
        self.request, self.qs, self.render = request, qs, render

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.render(self.request, item) for item in self.qs[key]]
