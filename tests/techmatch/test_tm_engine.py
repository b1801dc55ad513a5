from pathlib import Path

from techmatch import Document, Engine, EngineConfig, Filters
from techmatch.analysis import Analyzer

NEED = Document(
    "n1",
    "need",
    "锂电池正极材料改性",
    "需求内容：\n提高锂电池正极材料的倍率性能。\n现有工作基础：\n公司2018年销售收入2000万元。",
    industries=["C38"],
    trl=6,
    stage="中试",
)


def test_tm_bigram_matches_unsegmented_compound() -> None:
    an = Analyzer()
    q = set(an.bigrams("锂电池"))
    assert q <= set(an.bigrams("磷酸铁锂电池正极材料"))


def test_tm_engine_finds_compound_and_explains(achievements: list[Document], fake_encoder: object) -> None:
    eng = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    eng.add_many(achievements)
    res = eng.search(Document("q", "need", "锂电池"), k=3)
    assert res and res[0].id in {"a1", "a2"}
    top = eng.search(NEED, k=3)
    assert top[0].id == "a1"
    r = top[0]
    assert "锂电池" in r.terms or "正极材料" in r.terms or "正极" in r.terms
    assert any("共同关键词" in x for x in r.reasons)
    for h in r.highlights:
        text = {
            "title": achievements[0].title,
            "body": achievements[0].body,
            "keywords": "；".join(achievements[0].keywords),
        }[h.field]
        assert text[h.start : h.end].lower() == h.term
    assert any("TRL 6" in x and "中试" in x for x in r.reasons)
    assert any("C38" in x for x in r.reasons)
    assert abs(sum(r.contributions.values()) - 1.0) < 1e-3


def test_tm_cutoff_says_nothing_good(achievements: list[Document], fake_encoder: object) -> None:
    eng = Engine(encoder=fake_encoder, config=EngineConfig(min_similarity=0.4))  # type: ignore[arg-type]
    eng.add_many(achievements)
    res = eng.search(Document("q", "need", "围棋人工智能对弈程序的开局库"), k=5)
    assert len(res) == 0 and res.nothing_good
    ok = eng.search(Document("q", "need", "污泥低温干化"), k=5)
    assert ok and ok[0].id == "a3" and not ok.nothing_good


def test_tm_determinism_and_incremental(achievements: list[Document], fake_encoder: object) -> None:
    a = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    a.add_many(achievements[:3])
    for d in achievements[3:]:
        a.add(d)
    a.add(Document("a2", "achievement", "锂离子电池硅碳负极材料", "硅碳负极的预锂化工艺。", owner="lab1"))
    b = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    docs = [d for d in achievements if d.id != "a2"] + [a.docs["a2"]]
    b.add_many(reversed(docs))
    for q in ["锂电池材料", "污泥", "石墨烯电极"]:
        ra = [(r.id, r.score) for r in a.search(q, k=5)]
        rb = [(r.id, r.score) for r in b.search(q, k=5)]
        assert ra == rb == [(r.id, r.score) for r in a.search(q, k=5)]


def test_tm_persistence_round_trip(
    tmp_path: Path, achievements: list[Document], fake_encoder: object
) -> None:
    eng = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    eng.add_many(achievements)
    eng.delete("a5")
    eng.save(tmp_path / "idx")
    back = Engine.load(tmp_path / "idx", encoder=fake_encoder)  # type: ignore[arg-type]
    assert len(back) == 5
    assert [(r.id, r.score, r.reasons) for r in back.search(NEED, k=5)] == [
        (r.id, r.score, r.reasons) for r in eng.search(NEED, k=5)
    ]
    back.add(Document("a7", "achievement", "锂电池回收技术", "废旧锂电池正极材料回收。"))
    assert any(r.id == "a7" for r in back.search("锂电池回收", k=3))


def test_tm_directions_filters_diversity_duplicates(
    achievements: list[Document], fake_encoder: object
) -> None:
    eng = Engine(encoder=fake_encoder, config=EngineConfig(max_per_owner=1))  # type: ignore[arg-type]
    eng.add_many(achievements)
    eng.add(NEED)
    res = eng.search(NEED, k=5, direction="need->achievements")
    assert all(r.kind == "achievement" for r in res)
    assert (
        [r.id for r in res].index("a2") > [r.id for r in res].index("a5")
        if "a5" in [r.id for r in res]
        else True
    )
    back = eng.search(achievements[0], k=3, direction="achievement->needs")
    assert [r.id for r in back] == ["n1"]
    sim = eng.search(achievements[0], k=3, direction="similar")
    assert "a1" not in [r.id for r in sim]
    only = eng.search(NEED, k=5, filters=Filters(min_trl=6))
    assert all((eng.docs[r.id].trl or 0) >= 6 for r in only)
    again = Document("n2", "need", NEED.title, NEED.body)
    assert eng.duplicates(again) == [("n1", 1.0)]


def test_tm_cutoff_per_result(achievements: list[Document], fake_encoder: object) -> None:
    cfg = EngineConfig(min_similarity=0.4, cutoff_per_result=True)
    eng = Engine(encoder=fake_encoder, config=cfg)  # type: ignore[arg-type]
    eng.add_many(achievements)
    res = eng.search(Document("q", "need", "污泥低温干化"), k=5)
    assert res and all((r.similarity or 0) >= 0.4 for r in res)


def test_tm_kind_filter_applies_before_fusion(achievements: list[Document], fake_encoder: object) -> None:
    eng = Engine(encoder=fake_encoder, config=EngineConfig(depth=2))  # type: ignore[arg-type]
    eng.add_many(achievements)
    eng.add(Document("e1", "expert", "储能材料专家", "研究方向：锂电池正极材料、超级电容器。"))
    res = eng.search(NEED, k=3, direction="need->experts")
    assert [r.id for r in res] == ["e1"]
    eng.delete("e1")
    assert not eng.search(NEED, k=3, direction="need->experts")


def test_tm_lexical_relevance_says_nothing_good_without_a_model(achievements: list[Document]) -> None:
    from techmatch import MIN_RELEVANCE

    eng = Engine(config=EngineConfig(min_relevance=MIN_RELEVANCE))  # no encoder, no model
    eng.add_many(achievements)
    # a6 comes up through the bigram 技术 only; it shares no informative word
    res = eng.search(Document("q", "need", "围棋人工智能对弈程序开局库技术"), k=5)
    assert len(res) == 0 and res.nothing_good and res.cutoff == "relevance"
    ok = eng.search(Document("q", "need", "污泥低温干化"), k=5)
    assert ok and ok[0].id == "a3" and not ok.nothing_good and ok[0].relevance == 1.0


def test_tm_lexical_relevance_per_result_and_reported(achievements: list[Document]) -> None:
    eng = Engine(config=EngineConfig(min_relevance=3.0, cutoff_per_result=True))  # all 3 informative words
    eng.add_many(achievements)
    res = eng.search(Document("q", "need", "磷酸铁锂正极材料"), k=5)
    assert [r.id for r in res] == ["a1"] and res[0].relevance == 1.0
    loose = Engine()
    loose.add_many(achievements)
    everything = loose.search(Document("q", "need", "磷酸铁锂正极材料"), k=5)
    assert len(everything) > 1 and all(r.relevance is not None and r.relevance < 1.0 for r in everything[1:])


def test_tm_small_catalogue_keeps_common_bigrams_of_long_queries(achievements: list[Document]) -> None:
    # a long query (> 40 known terms) whose links to a1 are bigrams found in 2+ of the 6 documents (电池 ...)
    text = "电池\n" + "\n".join(d.text() for d in achievements[2:])
    small = Engine(config=EngineConfig(lexical_max_df=0.2))
    small.add_many(achievements)
    a1 = small.backend.slot("a1")
    assert a1 is not None and small.signals(text)[0]["bigram"][a1] > 0
    pruned = Engine(config=EngineConfig(lexical_max_df=0.2, lexical_max_df_min_docs=1))
    pruned.add_many(achievements)
    assert pruned.signals(text)[0]["bigram"][a1] == 0
