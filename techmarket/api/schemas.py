"""Schemas every catalogue type's API shares."""

from ninja import Schema


class ActionIn(Schema):
    """The body of POST /api/<key>/{id}/actions/{action}: the reason the owner will see (required for
    sending back and rejecting)."""

    reason: str = ""
