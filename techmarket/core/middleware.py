"""Requests that no page can serve are refused early, with a Chinese message."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext


class RejectNulMiddleware:
    """A NUL character in the query string would reach PostgreSQL, which refuses it (a 500 otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            any("\x00" in value for values in request.GET.lists() for value in values[1])
            or "\x00" in request.path
        ):
            return HttpResponseBadRequest(
                gettext("请求参数中含有非法字符（NUL）。").encode(), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class PlatformLanguageMiddleware:
    """The interface language is the platform's (zh-hans) unless the user chose another one.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so a browser without
    a Chinese locale got English. Here only an explicit choice counts: the language cookie that the
    language switch (``set_language``) writes, or a language prefix in the URL (none are used).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
