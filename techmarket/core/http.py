"""Small request helpers shared by the list pages."""

from django.http import HttpRequest, HttpResponse


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination links and exports."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def local_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the form posted when it points into this site, else ``fallback`` (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return str(target)
    return fallback


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download with a UTF-8 file name (Chinese names survive every browser)."""
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
