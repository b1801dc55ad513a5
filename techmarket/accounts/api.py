from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from techmarket.accounts import roles

from . import services
from .models import ApiToken

router = Router(tags=["账户"])


class MembershipOut(Schema):
    organization_id: int
    organization: str
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    email: str
    email_verified: bool
    roles: list[str]
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):  # type: ignore[no-untyped-def]
    user = request.user
    memberships = [
        MembershipOut(
            organization_id=m.organization_id,
            organization=m.organization.name,
            role=m.role,
            role_label=m.get_role_display(),
        )
        for m in roles._memberships(user)
    ]
    return MeOut(
        id=user.pk,
        username=user.username,
        real_name=user.real_name,
        email=user.email,
        email_verified=user.email_verified,
        roles=sorted(roles.user_roles(user)),
        memberships=memberships,
    )


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    scopes: list[str]


Scope = Literal["read", "write"]


def _read_only() -> list[Scope]:
    return ["read"]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=64, description="令牌用途，例如“数据同步脚本”")
    expires_in_days: int | None = Field(
        None, ge=1, le=365, description="有效期（天），默认 90 天，最长 365 天"
    )
    scopes: list[Scope] = Field(
        default_factory=_read_only,
        description="read：只读；write：可修改数据",
    )


class TokenCreated(TokenOut):
    secret: str = Field(..., description="令牌明文，只在创建时返回一次")


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def token_list(request):  # type: ignore[no-untyped-def]
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: TokenCreated}, summary="创建 API 令牌")
def token_create(request, payload: TokenIn):  # type: ignore[no-untyped-def]
    if getattr(request, "api_token", None) is not None:
        # A leaked token must not be able to mint fresh ones that outlive its revocation.
        raise PermissionDenied("不能用 API 令牌创建新令牌：请登录网站，在“API 令牌”页面创建。")
    token, secret = services.api_token_create(
        user=request.user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        scopes=list(payload.scopes),
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None}, summary="吊销 API 令牌")
def token_revoke(request, token_id: int):  # type: ignore[no-untyped-def]
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, acting_user=request.user)
    return Status(204, None)
