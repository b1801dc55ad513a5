"""Small request helpers shared by the list pages."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination links and exports."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
