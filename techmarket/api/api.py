"""The JSON API under /api/: OpenAPI schema at /api/openapi.json, docs at /api/docs."""

from django.apps import apps
from django.utils.module_loading import import_string
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from techmarket.accounts.api import router as accounts_router
from techmarket.analytics.api import router as analytics_router
from techmarket.catalog import registry
from techmarket.matching.api import add_suggestion_routes
from techmarket.matching.api import router as matching_router
from techmarket.orgs.api import router as orgs_router
from techmarket.orgs.profile_api import router as profile_router
from techmarket.reference.api import router as reference_router

from .auth import authenticated
from .errors import install_error_handlers
from .openapi import TechmarketAPI
from .throttling import AccountRateThrottle, AnonymousRateThrottle


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class ObjectBodyParser(Parser):
    """Every endpoint takes a JSON object (or list): a bare true, 1, "text" or null is refused (400)."""

    def parse_body(self, request):  # type: ignore[no-untyped-def]
        data = super().parse_body(request)
        if not isinstance(data, dict | list):
            raise ValueError("request body must be a JSON object")
        if "\\u0000" in request.body.decode("utf-8", "replace"):
            # PostgreSQL cannot store NUL in text: refuse it here (400) instead of failing in the database.
            raise ValueError("request body contains a NUL character")
        return data


api = TechmarketAPI(
    parser=ObjectBodyParser(),
    renderer=ChineseJSONRenderer(),
    title="科技大市场 API",
    version="1",
    description=(
        "科技成果转化平台的 JSON 接口。浏览器使用会话登录（需 CSRF 令牌）；程序使用个人 API 令牌："
        "`Authorization: Bearer tm_…`。所有列表返回 `{count, page, page_size, items}`；"
        "所有错误返回 `{error: {code, message, fields}}`。"
    ),
    auth=authenticated,
    throttle=[
        AnonymousRateThrottle(),
        AccountRateThrottle("1200/m"),
    ],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/accounts", accounts_router)
api.add_router("/organizations", orgs_router)
api.add_router("/reference", reference_router)
# Each catalogue type's router at /api/<key> (catalog.registry).
for ctype in registry.all_types():
    if ctype.api_router:
        api.add_router(f"/{ctype.key}", import_string(ctype.api_router))
api.add_router("/organizations", profile_router)
# Apps that are not catalogue types mount theirs by naming it on their AppConfig (api_router, api_prefix).
for app_config in apps.get_app_configs():
    if getattr(app_config, "api_router", ""):
        api.add_router(app_config.api_prefix, import_string(app_config.api_router))  # type: ignore[attr-defined]
add_suggestion_routes()
api.add_router("/matching", matching_router)
api.add_router("/statistics", analytics_router)
