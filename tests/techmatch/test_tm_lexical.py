import math
import random
from collections import Counter

import numpy as np
import pytest

from techmatch.analysis import Analyzer
from techmatch.lexical import BM25Index

CORPUS = [
    ("d1", "磷酸铁锂电池正极材料的制备方法"),
    ("d2", "一种锂电池隔膜及其制备工艺"),
    ("d3", "污泥低温干化处理装置与节能技术"),
    ("d4", "立方氮化硼单晶高温高压合成工艺"),
    ("d5", "超级电容器石墨烯电极材料与储能系统"),
    ("d6", "生活垃圾分选与资源化利用技术"),
    ("d7", "锂离子电池负极材料硅碳复合材料"),
    ("d8", "污水处理厂污泥厌氧消化与沼气利用"),
]


def reference_bm25(docs: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Straightforward Lucene-variant BM25 (the formula bm25s uses by default)."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    df = Counter(t for d in docs for t in set(d))
    out = []
    for d in docs:
        tf = Counter(d)
        s = 0.0
        for t in set(query):
            if tf[t] == 0:
                continue
            idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            s += idf * tf[t] / (tf[t] + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


@pytest.mark.parametrize("mode", ["word", "bigram"])
def test_tm_bm25_equals_reference(mode: str) -> None:
    an = Analyzer()
    toks = [an.tokens(t, mode) for _, t in CORPUS]
    idx = BM25Index()
    idx.build(zip([i for i, _ in CORPUS], toks, strict=True))
    for q in ["锂电池正极材料", "污泥干化", "氮化硼合成", "石墨烯储能"]:
        qt = an.tokens(q, mode)
        np.testing.assert_allclose(idx.scores(qt), reference_bm25(toks, qt), rtol=1e-9, atol=1e-12)


def test_tm_bm25_matches_bm25s() -> None:
    bm25s = pytest.importorskip("bm25s")
    an = Analyzer()
    toks = [an.bigrams(t) for _, t in CORPUS]
    ref = bm25s.BM25()
    ref.index(toks, show_progress=False)
    idx = BM25Index()
    idx.build(zip([i for i, _ in CORPUS], toks, strict=True))
    q = an.bigrams("锂电池材料")
    np.testing.assert_allclose(idx.scores(q), ref.get_scores(q), rtol=1e-5, atol=1e-6)


def ranking(idx: BM25Index, q: list[str]) -> list[tuple[str, float]]:
    s = idx.scores(q)
    return sorted(
        ((idx.ids[i], round(float(s[i]), 9)) for i in range(len(s)) if idx.alive[i] and s[i] > 0),
        key=lambda x: (-x[1], x[0]),
    )


def test_tm_incremental_equals_rebuild() -> None:
    an = Analyzer()
    rng = random.Random(7)
    texts = {i: t for i, t in CORPUS}
    inc = BM25Index()
    inc.build((i, an.bigrams(t)) for i, t in list(texts.items())[:5])
    # adds, an update, deletes, more adds, a partial merge in between
    inc.add("d6", an.bigrams(texts["d6"]))
    inc.add("d2", an.bigrams("一种锂电池隔膜涂层的改性方法"))
    texts["d2"] = "一种锂电池隔膜涂层的改性方法"
    inc.delete("d3")
    del texts["d3"]
    inc.merge()
    inc.add("d7", an.bigrams(texts["d7"]))
    inc.add("d8", an.bigrams(texts["d8"]))
    inc.delete("d4")
    del texts["d4"]
    keys = list(texts)
    rng.shuffle(keys)
    full = BM25Index()
    full.build((k, an.bigrams(texts[k])) for k in keys)
    for q in ["锂电池隔膜", "污泥处理", "材料制备", "石墨烯"]:
        qt = an.bigrams(q)
        assert ranking(inc, qt) == ranking(full, qt)
    assert len(inc) == len(full) == len(texts)


def test_tm_persistence_round_trip(tmp_path: object) -> None:
    from pathlib import Path

    an = Analyzer()
    idx = BM25Index()
    idx.build((i, an.words(t)) for i, t in CORPUS)
    idx.delete("d1")
    p = Path(str(tmp_path)) / "bm25"
    idx.save(p)
    back = BM25Index.load(p)
    q = an.words("锂电池材料制备")
    assert ranking(back, q) == ranking(idx, q)
    back.add("d9", an.words("锂电池回收"))
    assert "d9" in back
