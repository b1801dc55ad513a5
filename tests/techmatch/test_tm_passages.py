"""The append-only passage store and the re-scoring that reads it without embedding at query time."""

from pathlib import Path

import numpy as np

from techmatch.documents import Document
from techmatch.index import Engine, EngineConfig, Reranker
from techmatch.passages import PassageStore
from techmatch.termweights import TermWeights


def test_tm_passage_store_appends_and_another_reader_catches_up(tmp_path: Path, fake_encoder) -> None:
    writer = PassageStore(tmp_path / "p", fake_encoder.dim, fake_encoder)
    reader = PassageStore(tmp_path / "p", fake_encoder.dim)
    items = [("a1", "磷酸铁锂正极材料"), ("a2", "硅碳负极材料")]
    assert writer.embed(items) == 2
    assert writer.embed(items) == 0  # stored once
    mat, have = reader.lookup(items)
    assert have == [False, False]
    assert reader.refresh() == 2
    mat, have = reader.lookup(items)
    assert have == [True, True]
    assert np.allclose(mat, fake_encoder.encode_passages([t for _, t in items]), atol=1e-6)
    # a changed text is a new key; the old one stays readable
    assert writer.embed([("a1", "磷酸铁锂正极材料（修订）")]) == 1
    reader.refresh()
    assert len(reader) == 3


def test_tm_passage_store_ignores_a_half_written_key_line(tmp_path: Path, fake_encoder) -> None:
    store = PassageStore(tmp_path / "p", fake_encoder.dim, fake_encoder)
    store.embed([("a1", "磷酸铁锂")])
    with (tmp_path / "p" / "keys.log").open("ab") as fh:
        fh.write(b"a2:deadbeef")  # a writer crashed before the newline
    reader = PassageStore(tmp_path / "p", fake_encoder.dim)
    assert len(reader) == 1
    # the next writer cuts stray rows and appends cleanly after the complete keys
    store2 = PassageStore(tmp_path / "p", fake_encoder.dim, fake_encoder)
    assert store2.embed([("a3", "硅碳负极")]) == 1


def _engine(tmp_path: Path, enc, achievements, compute_missing: bool) -> tuple[Engine, PassageStore]:
    store = PassageStore(tmp_path / "p", enc.dim, enc)
    cfg = EngineConfig(rerank_depth=3)
    eng = Engine(reranker=Reranker(enc, store, compute_missing=compute_missing), config=cfg)
    eng.add_many(achievements)
    return eng, store


def test_tm_query_without_embedded_passages_is_answered_lexically_not_embedded(
    tmp_path, fake_encoder, achievements
) -> None:
    eng, store = _engine(tmp_path, fake_encoder, achievements, compute_missing=False)
    q = Document("n1", "need", "磷酸铁锂正极材料改性", "提高磷酸铁锂电池正极材料的倍率性能")
    res = eng.search(q, k=3)
    assert res and res[0].id == "a1"
    assert "rerank" not in res[0].contributions  # nothing re-scored ...
    assert len(store) == 0  # ... and nothing embedded at query time
    # once the background job embedded every candidate, the same query is re-scored
    store.embed([(d.id, d.short_text(eng.config.passage_chars)) for d in achievements])
    res = eng.search(q, k=3)
    assert any("rerank" in r.contributions for r in res)


def test_tm_term_weights_downweight_a_word_spread_over_every_field() -> None:
    docs = []
    fields = [f"F{i}" for i in range(10)]
    for i in range(400):
        f = fields[i % 10]
        words = ["产业化", f"专有{f}"] + (["锂电池"] if f == "F1" else [])
        docs.append((words, f))
    tw = TermWeights.fit(docs)
    assert tw.weight("产业化") < 0.3  # in every field
    assert tw.weight("锂电池") > 0.9  # in one field only
    assert tw.weight("从未见过") == 1.0


def test_tm_engine_term_weights_survive_save_and_load(tmp_path: Path, achievements) -> None:
    eng = Engine()
    eng.add_many(achievements * 1)
    labelled = [(d, f"F{i % 7}") for i, d in enumerate(achievements * 60)]
    assert eng.fit_term_weights(labelled) > 0
    eng.save(tmp_path / "e")
    loaded = Engine.load(tmp_path / "e")
    assert loaded.term_weights["word"].specificity == eng.term_weights["word"].specificity


def test_tm_affinity_covers_every_gbt4754_division() -> None:
    from techmatch.affinity import AFFINITY, DISCIPLINE_NAMES, INDUSTRY_NAMES
    from techmatch.features import FeatureWeights, compute

    assert len(INDUSTRY_NAMES) == 97  # every 大类 of GB/T 4754-2017, A01 … T97
    assert set(AFFINITY) == set(INDUSTRY_NAMES)
    assert all(d in DISCIPLINE_NAMES for ds in AFFINITY.values() for d in ds)
    for code in ("C18", "C19", "C20", "C21", "C22", "C23", "C24"):
        assert AFFINITY[code]
    # a wood-processing need meets a forestry (林学) achievement through the table
    need = Document("n", "need", "胶合板甲醛释放", industries=["C2021"])
    ach = Document("a", "achievement", "低醛胶黏剂", disciplines=["220"])
    res = compute(need, ach, FeatureWeights())
    assert res.values["field"] == 0.6 and "林学" in res.reasons[0]


class _Cosines:
    """An encoder whose passage cosines with any query are fixed per document (by the passage's title)."""

    dim = 2

    def __init__(self, by_title: dict[str, float]) -> None:
        self.by_title = by_title

    def encode_queries(self, texts):
        return np.tile(np.array([[1.0, 0.0]], np.float32), (len(texts), 1))

    encode_passages_query = encode_queries

    def encode_passages(self, texts):
        out = []
        for t in texts:
            c = next((v for title, v in self.by_title.items() if t.startswith(title)), 1.0)  # the query
            out.append([c, float(np.sqrt(max(0.0, 1.0 - c * c)))])
        return np.array(out, np.float32)


def test_tm_zscore_fusion_blends_standardised_fast_scores_and_cosines(tmp_path: Path, achievements) -> None:
    enc = _Cosines({})
    q = Document("n1", "need", "锂电池正极材料", "磷酸铁锂正极 硅碳负极 污泥干化 氮化硼 石墨烯电极 电池材料")
    titles = {d.id: d.title for d in achievements}

    def ranked(fusion: str, alpha: float) -> list:
        cfg = EngineConfig(rerank_depth=50, rerank_fusion=fusion, rerank_alpha=alpha, max_per_owner=99)
        store = PassageStore(tmp_path / f"{fusion}{alpha}{len(enc.by_title)}", enc.dim, enc)
        eng = Engine(reranker=Reranker(enc, store), config=cfg)
        eng.add_many(achievements)
        return eng.search(q, k=10)

    fast = ranked("zscore", 0.0)  # alpha 0: the fast ranking's order
    assert len(fast) >= 4
    # the model prefers the fast ranking's weakest candidate, then the others in the fast order
    enc.by_title = {titles[r.id]: 0.9 - 0.05 * i for i, r in enumerate(fast)}
    enc.by_title[titles[fast[-1].id]] = 0.99
    only_model = ranked("zscore", 1.0)
    sims = [r.similarity for r in only_model]
    assert (
        sims == sorted(sims, reverse=True) and only_model[0].id == fast[-1].id
    )  # alpha 1: the model's order
    blended = ranked("zscore", 0.6)
    assert {r.id for r in blended} == {r.id for r in fast}
    lowest = min(blended, key=lambda r: r.similarity).id
    for r in blended:  # non-negative shares of one score: the fast signals' and the model's (but at its zero)
        assert all(v >= 0 for v in r.contributions.values())
        assert abs(sum(r.contributions.values()) - 1.0) < 1e-3
        assert ("rerank" in r.contributions) == (r.id != lowest) and "word" in r.contributions
    # in the fast score's units: the fast score plus a / (1 - a) * sd(fast) * (cosine - lowest) / sd(cosine),
    # which orders as 0.4 * z(fast) + 0.6 * z(cosine)
    f = {r.id: r.score for r in fast}
    s = {r.id: r.similarity for r in blended}
    ids = sorted(f)
    fz, sz = np.array([f[i] for i in ids]), np.array([s[i] for i in ids])
    got = np.array([{r.id: r.score for r in blended}[i] for i in ids])
    assert np.allclose(got, fz + 1.5 * fz.std() * (sz - sz.min()) / sz.std(), atol=1e-6)
    expect = 0.4 * (fz - fz.mean()) / fz.std() + 0.6 * (sz - sz.mean()) / sz.std()
    assert [r.id for r in blended] == [ids[i] for i in np.argsort(-expect, kind="stable")]
