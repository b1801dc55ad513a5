"""Helpers for data migrations that move an existing model onto the workflow kernel."""

from collections.abc import Callable, Iterable
from typing import Any


def backfill_due(
    label: str,
    *,
    states: Iterable[str],
    start_field: str,
    working_days: int,
    state_field: str = "status",
    due_field: str = "due_at",
) -> Callable[[Any, Any], None]:
    """A RunPython function giving rows that wait for someone (``states``) the due time they would have had:
    ``working_days`` Chinese working days after ``start_field``. Rows are kept; only the due time is set."""
    states = tuple(states)

    def forward(apps: Any, schema_editor: Any) -> None:
        from techmarket.workflow.workdays import add_working_days

        model = apps.get_model(label)
        rows = model.objects.filter(
            **{f"{state_field}__in": states, f"{due_field}__isnull": True, f"{start_field}__isnull": False}
        )
        for row in rows.iterator(chunk_size=500):
            model.objects.filter(pk=row.pk).update(
                **{due_field: add_working_days(getattr(row, start_field), working_days)}
            )

    return forward
