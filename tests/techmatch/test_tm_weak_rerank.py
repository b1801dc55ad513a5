"""bench.weak_rerank: pseudo-query labels, and the learnt rankers applied exactly as the product's blend."""

from __future__ import annotations

import numpy as np

from bench.rerank_cv import replay
from bench.weak_rerank import fit_lambdarank, linear_run, pseudo_queries, zorder
from techmatch.index import RRF_UNIT, Engine


def _corpus() -> list[dict[str, object]]:
    kw = ["激光", "焊接", "铝合金", "机器人", "视觉"]
    return [
        {
            "id": "a1",
            "title": "铝合金激光焊接",
            "abstract": "研究了铝合金激光焊接工艺。结果表明强度提高。",
            "keywords": kw[:3],
        },
        {
            "id": "a2",
            "title": "激光焊接机器人",
            "abstract": "设计了一种激光焊接机器人系统。",
            "keywords": kw[:2] + kw[3:4],
        },
        {
            "id": "a3",
            "title": "铝合金焊接",
            "abstract": "铝合金焊接接头的组织。",
            "keywords": kw[:3] + kw[4:],
        },
        {"id": "a4", "title": "机器视觉", "abstract": "机器视觉检测方法。", "keywords": kw[3:]},
        {"id": "a5", "title": "无关键词", "abstract": "没有关键词的文献。", "keywords": []},
    ]


def test_pseudo_queries_grade_shared_keywords_exclude_the_source_and_never_show_the_keywords() -> None:
    for variant in ("title", "need"):
        queries, qrels = pseudo_queries(_corpus(), 10, variant)
        assert set(queries) == {"a1", "a2", "a3"}  # a4 has 2 keywords, a5 none
        assert qrels["a1"] == {"a2": 1, "a3": 2}  # 2 shared keywords: grade 1, 3: grade 2
        assert qrels["a3"] == {"a1": 2, "a2": 1}
        for qid, q in queries.items():
            assert qid not in qrels[qid]
            assert q.kind == "need" and q.id == qid  # Engine.search leaves an indexed query's own id out
            assert " ".join(_corpus()[int(qid[1]) - 1]["keywords"]) not in Engine.query_text(q)  # type: ignore[arg-type]
    assert "预期目标" in pseudo_queries(_corpus(), 10, "need")[0]["a1"].body


def _candidates(seed: int, n: int = 30) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    fused = sorted(rng.uniform(0.01, 0.05, n), reverse=True)
    signals = {k: [float(x) for x in rng.uniform(0, 1, n)] for k in ("word", "bigram", "dense")}
    return {
        **signals,
        **{f"rrf_{k}": v for k, v in signals.items()},
        "ids": [f"d{i:02d}" for i in range(n)],
        "fused": [float(x) for x in fused],
        "cos": {256: [float(x) for x in rng.uniform(0.8, 0.93, n)]},
        "bonus": [RRF_UNIT if i % 7 == seed % 2 else 0.0 for i in range(n)],  # structured features
        "owners": [None] * n,
    }


def test_the_blend_and_the_linear_ranker_order_as_the_products_replay() -> None:
    for seed in range(5):
        c = _candidates(seed)
        for depth in (20, 30):
            for a in (0.3, 0.6, 0.65):
                product = replay(c, depth, "zblend", a, 60.0, 2, 256)
                assert zorder(c, depth, a, 256)[:10] == product
                w = np.array([1.0 - a, a])
                assert linear_run(c, depth, ["z_fused", "z_cos"], w, 256, 2) == product


def test_the_ranker_learns_which_feature_carries_the_grades() -> None:
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(80):
        x = rng.normal(size=(20, 3))
        grades = (x[:, 1] + 0.3 * x[:, 0] + 0.3 * rng.normal(size=20) > 1.0).astype(float)
        groups.append((x, grades))
    w = fit_lambdarank(groups, steps=150)
    assert abs(float(np.abs(w).sum()) - 1.0) < 1e-9
    assert w[1] > w[0] > abs(w[2])
