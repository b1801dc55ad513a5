from django.db import migrations

from techmarket.catalog.search import listing_order_index_operation, recompute_operation


def _texts(item):
    return [item.title, item.summary, item.keywords or [], item.advantages]


class Migration(migrations.Migration):
    dependencies = [("achievements", "0002_search_text")]
    operations = [
        recompute_operation("achievements", "Achievement", _texts),
        listing_order_index_operation("achievements_achievement"),
    ]
