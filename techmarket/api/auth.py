"""API authentication: the browser's session (with CSRF) or a personal bearer token."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from techmarket.accounts.services import api_token_lookup


def _token_user(request: HttpRequest, secret: str) -> Any:
    """The token's user, after checking the token's scope admits this request's method."""
    token = api_token_lookup(secret)
    if token is None:
        return None
    if not token.allows(request.method or "GET"):
        raise PermissionDenied(
            "该 API 令牌只有读取权限（read），不能修改数据；请创建带写入权限（write）的令牌。"
        )
    request.user = token.user
    request.api_token = token  # type: ignore[attr-defined]
    return token.user


class TokenAuth(HttpBearer):
    openapi_description = "个人 API 令牌：Authorization: Bearer tm_…（在“我的账户 → API 令牌”中创建）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _token_user(request, token)


class OptionalAuth:
    """Lets anonymous visitors through (public reads) while still recognising tokens and sessions."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = _token_user(request, header[7:].strip())
            if user is None:
                # A wrong or revoked token is an error, not a silent downgrade to anonymous.
                raise AuthenticationError()
            return user
        return request.user if request.user.is_authenticated else True


class LoggedInSessionAuth(SessionAuth):
    """Session auth that answers 401 to a visitor without a session before looking at CSRF: the CSRF
    check protects logged-in users, and "CSRF check failed" would only confuse an anonymous caller."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = LoggedInSessionAuth()
token_auth = TokenAuth()
authenticated = [token_auth, session_auth]
