"""Requests that no page can serve are refused early, with a Chinese message."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNulMiddleware:
    """A NUL character in the query string would reach PostgreSQL, which refuses it (a 500 otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in value for values in request.GET.lists() for value in values[1]) or "\x00" in request.path:
            return HttpResponseBadRequest("请求参数中含有非法字符（NUL）。".encode(), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
