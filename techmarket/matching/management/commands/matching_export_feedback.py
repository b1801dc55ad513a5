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

from django.core.management.base import BaseCommand

from techmarket.achievements.models import Achievement
from techmarket.matching.documents import achievement_document, need_document
from techmarket.matching.models import Decision, MatchFeedback
from techmarket.needs.models import Need

GRADES = {Decision.ACCEPT: 2, Decision.RECOMMEND: 2, Decision.REJECT: 0}


class Command(BaseCommand):
    help = "导出匹配反馈为评测集（needs.jsonl + qrels.jsonl）。Export feedback as a judged set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="输出目录 / output folder")

    def handle(self, *args: Any, folder: str, **options: Any) -> None:
        pairs: dict[tuple[int, int], int] = {}
        for fb in MatchFeedback.objects.select_related("source_type", "target_type").order_by("created_at", "pk"):
            kinds = (fb.source_type.model, fb.target_type.model)
            if kinds == ("need", "achievement"):
                pairs[(fb.source_id, fb.target_id)] = GRADES[fb.decision]
            elif kinds == ("achievement", "need"):
                pairs[(fb.target_id, fb.source_id)] = GRADES[fb.decision]
        needs = Need.objects.in_bulk({n for n, _a in pairs})
        achievements = Achievement.objects.prefetch_related("industries").in_bulk({a for _n, a in pairs})
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        with (out / "needs.jsonl").open("w", encoding="utf-8") as fh:
            for pk in sorted(needs):
                doc = need_document(needs[pk])
                fh.write(json.dumps({"id": doc.id, "uuid": doc.id, "title": doc.title, "text": doc.body},
                                    ensure_ascii=False) + "\n")
        with (out / "qrels.jsonl").open("w", encoding="utf-8") as fh:
            for (n, a), grade in sorted(pairs.items()):
                if n in needs and a in achievements:
                    fh.write(json.dumps({"need_id": f"need:{n}", "doc_id": f"achievement:{a}", "grade": grade})
                             + "\n")
                    written += 1
        with (out / "achievements.jsonl").open("w", encoding="utf-8") as fh:
            for pk in sorted(achievements):
                doc = achievement_document(achievements[pk])
                fh.write(json.dumps({"id": doc.id, "kind": "achievement", "title": doc.title, "abstract": doc.body,
                                     "keywords": doc.keywords, "discipline": None, "category": None,
                                     "source": "techmarket", "also_in": []}, ensure_ascii=False) + "\n")
        self.stdout.write(f"已导出 {len(needs)} 条需求、{written} 条评判到 {out}")
