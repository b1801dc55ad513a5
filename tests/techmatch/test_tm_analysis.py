from pathlib import Path

from techmatch.analysis import Analyzer, find_spans, normalize
from techmatch.documents import Document
from techmatch.explain import explain, shared_terms
from techmatch.features import FeatureWeights, compute


def test_tm_normalize_fullwidth() -> None:
    assert normalize("ＣＢＮ　１２３") == "cbn 123"


def test_tm_words_drop_stopwords_and_punctuation() -> None:
    w = Analyzer().words("一种磷酸铁锂电池正极材料的制备方法，")
    assert "锂电池" in w and "的" not in w and "，" not in w and "一种" not in w


def test_tm_user_dictionary_terms_are_tokens(tmp_path: Path) -> None:
    f = tmp_path / "dict.txt"
    f.write_text("# 领域词\n超高分子量聚乙烯纤维 10 n\n", encoding="utf-8")
    an = Analyzer()
    an.load_user_dict(f)
    assert "超高分子量聚乙烯纤维" in an.words("一种超高分子量聚乙烯纤维的制备")


def test_tm_bigrams_cover_compound() -> None:
    b = Analyzer.bigrams("磷酸铁锂电池正极材料")
    assert {"锂电", "电池"} <= set(b)
    assert Analyzer.bigrams("锰") == ["锰"]


def test_tm_find_spans_longest_first_no_overlap() -> None:
    text = "磷酸铁锂电池正极材料，锂电池"
    spans = find_spans(text, ["锂电池", "电池", "正极材料"])
    assert spans == [(3, 6, "锂电池"), (6, 10, "正极材料"), (11, 14, "锂电池")]


def test_tm_explanation_contains_shared_terms() -> None:
    doc = Document(
        "a1",
        "achievement",
        "磷酸铁锂电池正极材料",
        "提高倍率性能的固相合成工艺。",
        industries=["C2661"],
        trl=7,
    )
    need = Document("n1", "need", "锂电池正极改性", industries=["C26"], trl=6, stage="中试")
    terms = shared_terms({"锂电池": 3.0, "正极": 2.5, "倍率": 2.0, "石墨烯": 5.0}, doc)
    assert terms == ["锂电池", "正极", "倍率"]
    fr = compute(need, doc, FeatureWeights())
    ex = explain({"锂电池": 3.0, "正极": 2.5}, doc, {"word": 0.01, "bigram": 0.03}, fr.reasons, 0.9)
    assert ex.terms == ["锂电池", "正极"]
    assert any(r.startswith("共同关键词：锂电池、正极") for r in ex.reasons)
    assert "同属 C26 化学原料和化学制品制造业" in ex.reasons
    assert "成熟度 TRL 7 满足中试要求" in ex.reasons
    h = ex.highlights[0]
    assert (h.field, doc.title[h.start : h.end]) == ("title", "锂电池")
    assert ex.contributions == {"bigram": 0.75, "word": 0.25}
