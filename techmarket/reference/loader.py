"""Idempotent loading of the national code tables shipped under reference/data/.

Used by the data migration (so every database, test databases included, has the codes) and by
the ``load_reference`` management command after a new edition of a table.
"""

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_table(name: str) -> list[dict[str, Any]]:
    payload = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    columns = payload["columns"]
    return [dict(zip(columns, row, strict=True)) for row in payload["rows"]]


def _upsert_tree(model: Any, rows: list[dict[str, Any]], fields: list[str]) -> int:
    """Insert or update rows of a self-referencing code table, parents before children."""
    existing = set(model.objects.values_list("pk", flat=True))
    new = [model(**{f: r[f] for f in fields}, parent_id=None) for r in rows if r["code"] not in existing]
    model.objects.bulk_create(new, batch_size=500)
    changed = [model(**{f: r[f] for f in fields}, parent_id=r["parent"]) for r in rows]
    model.objects.bulk_update(changed, [f for f in fields if f != "code"] + ["parent"], batch_size=500)
    return len(new)


def load_reference_data(apps: Any = None) -> dict[str, int]:
    """Load regions, industries, disciplines and TRL levels; returns the number of new rows per table."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Region = apps.get_model("reference", "Region")
    Industry = apps.get_model("reference", "Industry")
    Discipline = apps.get_model("reference", "Discipline")
    TRL = apps.get_model("reference", "TechnologyReadinessLevel")
    counts = {
        "regions": _upsert_tree(Region, read_table("regions.json"), ["code", "name", "level", "full_name"]),
        "industries": _upsert_tree(
            Industry, read_table("industries.json"), ["code", "name", "level", "section"]
        ),
        "disciplines": _upsert_tree(Discipline, read_table("disciplines.json"), ["code", "name", "category"]),
    }
    # TRL names are provisional and operators may edit them: only missing levels are added.
    existing = set(TRL.objects.values_list("level", flat=True))
    new_trl = [TRL(**row) for row in read_table("trl.json") if row["level"] not in existing]
    TRL.objects.bulk_create(new_trl)
    counts["trl"] = len(new_trl)
    return counts
