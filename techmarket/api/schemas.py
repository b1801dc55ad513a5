"""Schemas every catalogue type's API shares."""

from ninja import Field, Schema


class ActionIn(Schema):
    """The body of POST /api/<key>/{id}/actions/{action}: the reason the owner will see (required for
    sending back and rejecting)."""

    reason: str = ""
    expected_state: str | None = Field(None, description="调用方看到的状态；若条目已被他人处理，操作被拒绝")
