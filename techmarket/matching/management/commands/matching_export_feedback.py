"""Write stored feedback as a judged set (needs.jsonl + qrels.jsonl) the benchmark can replay.

Format of ../shared/data/needs-bench (see its README): needs.jsonl {"id", "uuid", "title", "text"},
qrels.jsonl {"need_id", "doc_id", "grade"}; accept/recommend -> grade 2, reject -> 0, the latest decision
per pair wins. Ids are platform document ids ("need:12", "achievement:34"); achievements.jsonl beside them
holds the judged achievements in the corpus format so a benchmark run can index them. Only the public
text goes out (the same text the index holds); confidential details never do.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from techmarket.catalog import registry
from techmarket.matching.documents import to_document
from techmarket.matching.models import Decision, MatchFeedback

GRADES: dict[str, int] = {Decision.ACCEPT: 2, Decision.RECOMMEND: 2, Decision.REJECT: 0}


class Command(BaseCommand):
    help = "导出匹配反馈为评测集（needs.jsonl + qrels.jsonl）。Export feedback as a judged set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="输出目录 / output folder")

    def handle(self, *args: Any, folder: str, **options: Any) -> None:
        # The judged pairs are those of the broker workbench: its source type (queries) and target type.
        source_type = registry.workbench_source()
        if source_type is None or source_type.matching is None:
            raise CommandError("没有声明匹配工作台的目录类型。")
        target_type = registry.get(source_type.matching.workbench_target)
        source_model, target_model = source_type.model._meta.model_name, target_type.model._meta.model_name
        source_kind, target_kind = source_type.matching.kind, target_type.matching.kind  # type: ignore[union-attr]
        pairs: dict[tuple[int, int], int] = {}
        for fb in MatchFeedback.objects.select_related("source_type", "target_type").order_by(
            "created_at", "pk"
        ):
            kinds = (fb.source_type.model, fb.target_type.model)
            if kinds == (source_model, target_model):
                pairs[(fb.source_id, fb.target_id)] = GRADES[fb.decision]
            elif kinds == (target_model, source_model):
                pairs[(fb.target_id, fb.source_id)] = GRADES[fb.decision]
        queries = source_type.system_queryset().in_bulk({n for n, _a in pairs})
        judged = target_type.system_queryset().in_bulk({a for _n, a in pairs})
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        with (out / f"{source_type.key}.jsonl").open("w", encoding="utf-8") as fh:
            for pk in sorted(queries):
                doc = to_document(queries[pk])
                fh.write(
                    json.dumps(
                        {"id": doc.id, "uuid": doc.id, "title": doc.title, "text": doc.body},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        with (out / "qrels.jsonl").open("w", encoding="utf-8") as fh:
            for (n, a), grade in sorted(pairs.items()):
                if n in queries and a in judged:
                    fh.write(
                        json.dumps(
                            {
                                f"{source_kind}_id": f"{source_kind}:{n}",
                                "doc_id": f"{target_kind}:{a}",
                                "grade": grade,
                            }
                        )
                        + "\n"
                    )
                    written += 1
        with (out / f"{target_type.key}.jsonl").open("w", encoding="utf-8") as fh:
            for pk in sorted(judged):
                doc = to_document(judged[pk])
                fh.write(
                    json.dumps(
                        {
                            "id": doc.id,
                            "kind": target_kind,
                            "title": doc.title,
                            "abstract": doc.body,
                            "keywords": doc.keywords,
                            "discipline": None,
                            "category": None,
                            "source": "techmarket",
                            "also_in": [],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        self.stdout.write(f"已导出 {len(queries)} 条{source_type.label}、{written} 条评判到 {out}")
