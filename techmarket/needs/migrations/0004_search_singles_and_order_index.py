from django.db import migrations

from techmarket.catalog.search import listing_order_index_operation, recompute_operation


def _texts(need):
    return [
        need.title,
        need.summary,
        need.problem,
        need.background,
        need.expected_outcome,
        [p.get("indicator", "") for p in need.parameters or []],
    ]


class Migration(migrations.Migration):
    dependencies = [("needs", "0003_versions_and_refinements")]
    operations = [
        recompute_operation("needs", "Need", _texts),
        listing_order_index_operation("needs_need"),
    ]
