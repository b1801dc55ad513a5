"""Every export leaves an audit record: who exported which catalogue, with which filter, how many rows,
and whether confidential columns were asked for (a bulk read of details must be as visible as one)."""

from typing import Any

from django.db import transaction

from techmarket.audit.services import audit_record


def export_record(
    *,
    user: Any,
    spec_key: str,
    filters: dict[str, Any],
    fmt: str,
    rows: int,
    include_confidential: bool,
    request: Any = None,
) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action=f"imports.export.{spec_key}",
            after={
                "format": fmt,
                "rows": rows,
                "confidential": include_confidential,
                "filters": {k: v for k, v in filters.items() if k not in {"page", "csrfmiddlewaretoken"}},
            },
            request=request,
        )
