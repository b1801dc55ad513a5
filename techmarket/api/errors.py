"""Every API error has one body: {"error": {"code": str, "message": str, "fields": {name: [messages]}}}."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("techmarket.api")
SERVER_ERROR_MESSAGE = "服务器暂时无法处理该请求，请稍后重试；如持续出现请联系平台。"


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_name(list(err.get("loc", []))), []).append(str(err.get("msg", "")))
        return api.create_response(
            request, error_body("invalid", "请求参数不正确，请检查各字段。", fields), status=422
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()
            }
            message = "；".join(m for msgs in fields.values() for m in msgs)
        else:
            fields, message = {}, "；".join(exc.messages)
        return api.create_response(request, error_body("invalid", message, fields), status=422)

    @api.exception_handler(OverflowError)
    def overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # Safety net behind the bounded schemas: a number the database cannot hold is the caller's error.
        return api.create_response(request, error_body("invalid", "数值超出允许范围。"), status=422)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body("forbidden", str(exc) or "您没有权限执行此操作。"), status=403
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", "请求的对象不存在或您无权查看。"), status=404
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("unauthenticated", "请先登录，或在请求头中提供有效的 API 令牌。"), status=401
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = api.create_response(
            request, error_body("throttled", "请求过于频繁，请稍后再试。"), status=429
        )
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
        }.get(exc.status_code, "error")
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = '请求体必须是 JSON 对象，例如 {"message": "…"}。'
        return api.create_response(request, error_body(code, message), status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Anything else (the cache or another dependency down, a bug): still the JSON error body."""
        logger.exception("api: %s %s failed", request.method, request.path)
        return api.create_response(request, error_body("server_error", SERVER_ERROR_MESSAGE), status=500)
