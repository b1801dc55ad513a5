"""The OpenAPI schema declares the error answers every endpoint can give, with their one body
({"error": {"code", "message", "fields"}}), so clients and schema-driven tests know them."""

from typing import Any

from ninja import NinjaAPI

# Largest value a database id or integer filter can hold (64-bit signed): beyond it SQLite
# raises OverflowError, so the API bounds such parameters and answers 422 instead.
MAX_DB_INT = 2**63 - 1

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ErrorOut",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "invalid / unauthenticated / forbidden / not_found / ...",
                },
                "message": {"type": "string", "description": "给人看的中文说明"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "请求不合法",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "对象不存在或无权查看",
    "409": "与当前状态冲突",
    "422": "参数校验失败（fields 指明字段）",
    "429": "请求过于频繁",
}


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["400", "422", "429"]
    if "{" in path:
        codes.append("404")
    if method != "get" or operation.get("security"):
        codes += ["401", "403"]
    return codes


class TechmarketAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code in _error_codes(path, method, operation):
                    responses.setdefault(
                        code,
                        {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                    )
        return schema
