"""API authentication: the browser's session (with CSRF) or a personal bearer token."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from techmarket.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "个人 API 令牌：Authorization: Bearer tm_…（在“我的账户 → API 令牌”中创建）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Lets anonymous visitors through (public reads) while still recognising tokens and sessions."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = api_token_authenticate(header[7:].strip())
            if user is None:
                # A wrong or revoked token is an error, not a silent downgrade to anonymous.
                raise AuthenticationError()
            request.user = user
            return user
        return request.user if request.user.is_authenticated else True


session_auth = SessionAuth()
token_auth = TokenAuth()
authenticated = [token_auth, session_auth]
