"""The measured hybrid as served: same configuration as the benchmark, passages embedded in the background
(never during a request), progress on the health page."""

import dataclasses
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from matching_items import make_achievement, make_filler, make_need

from bench.systems import product_config as bench_config
from techmarket.matching import embedding, selectors
from techmarket.matching import engine as handle
from techmatch import Reranker
from techmatch.analysis import Analyzer
from techmatch.passages import PassageStore


class SmallEncoder:
    """Deterministic bigram-hash vectors: stands in for the full model (no model in tests)."""

    dim = 16

    def __init__(self):
        self.calls = 0

    def _enc(self, texts):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for r, t in enumerate(texts):
            for g in Analyzer.bigrams(t):
                out[r, hash(g) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    encode_queries = encode_passages = _enc


def test_the_app_serves_the_configuration_the_benchmark_measures(db):
    app = handle.product_config()
    assert dataclasses.asdict(app) == dataclasses.asdict(bench_config())
    # and the engine a web process searches with follows it (whatever config an older index saved)
    served = dataclasses.asdict(handle.get_engine().config)
    for key in (
        "weights",
        "rrf_k",
        "depth",
        "rerank_depth",
        "rerank_fusion",
        "rerank_alpha",
        "passage_chars",
        "term_weighting",
        "lexical_max_df",
        "lexical_max_terms",
    ):
        assert served[key] == dataclasses.asdict(app)[key], key


def test_the_app_the_worker_and_the_benchmark_run_the_full_model_on_onnxruntime(index_dir, monkeypatch):
    """MATCHING_E5_RUNTIME "auto" (the default) and the benchmark's $TECHMATCH_E5_RUNTIME unset both pick
    onnxruntime (a pinned dependency); the background worker embeds passages with the same encoder."""
    import importlib

    import bench.systems
    from config.settings import base

    monkeypatch.delenv("MATCHING_E5_RUNTIME", raising=False)
    monkeypatch.delenv("TECHMATCH_E5_RUNTIME", raising=False)
    assert importlib.reload(base).MATCHING_E5_RUNTIME == "auto"
    importlib.reload(base)
    monkeypatch.setattr(bench.systems, "CACHE", index_dir / "cache")  # one graph built for both
    monkeypatch.setattr(bench.systems, "_E5", None)
    monkeypatch.setattr(embedding, "_model", None)
    app, worker, measured = handle.full_model_encoder(), embedding.model(), bench.systems.e5()
    assert type(app).__name__ == type(worker).__name__ == type(measured).__name__ == "OnnxE5Encoder"
    assert app.MODEL_TAG == measured.MODEL_TAG
    assert list((index_dir / "cache" / "onnx").glob("e5-small-q4-*.onnx"))
    text = "针对红茶加工中萎凋不均匀的问题，研发发酵适度判别装置。"
    assert float(app.encode_passages([text])[0] @ measured.encode_passages([text])[0]) > 0.9999


def test_dense_matching_is_on_by_default_outside_tests(monkeypatch):
    import importlib

    from config.settings import base

    monkeypatch.delenv("MATCHING_DENSE", raising=False)
    assert importlib.reload(base).MATCHING_DENSE is True
    monkeypatch.setenv("MATCHING_DENSE", "false")
    assert importlib.reload(base).MATCHING_DENSE is False
    monkeypatch.delenv("MATCHING_DENSE")
    importlib.reload(base)


@pytest.fixture
def dense_app(settings, index_dir, monkeypatch):
    settings.MATCHING_DENSE = True
    monkeypatch.setattr(handle, "E5_MIN_SIMILARITY", -1.0)  # the cutoff is calibrated for the real model
    enc = SmallEncoder()
    store = PassageStore(handle.passages_dir(), enc.dim, enc)
    handle.set_reranker(
        Reranker(enc, store, passage_chars=handle.product_config().passage_chars, compute_missing=False)
    )
    yield enc
    handle.set_reranker(None)


def test_a_request_never_embeds_passages_the_background_pass_fills_them_in(
    dense_app, enterprise, university, rebuild
):
    make_filler(university, n=5)
    ach = make_achievement(university)
    need = make_need(enterprise)
    rebuild()
    before = dense_app.calls
    results, _nothing = selectors.engine_search(
        handle.get_engine().docs[f"need:{need.pk}"],
        "achievement",
        k=5,
        filters=selectors.build_filters("achievement"),
    )
    assert results and results[0].id == f"achievement:{ach.pk}"
    assert "rerank" not in results[0].contributions
    assert dense_app.calls - before <= 1  # the query itself at most, no passage
    embedded = embedding.embed_missing(encoder=dense_app)
    assert embedded == len(handle.get_engine().docs)
    assert embedding.progress()["passages_share"] == 100.0
    results, _nothing = selectors.engine_search(
        handle.get_engine().docs[f"need:{need.pk}"],
        "achievement",
        k=5,
        filters=selectors.build_filters("achievement"),
    )
    assert any("rerank" in r.contributions for r in results)
    # an edited item gets a new passage on the next pass
    ach.summary = ach.summary + "新增：低温倍率性能测试数据。"
    ach.save()
    from techmarket.matching import services

    services.index_item(label="achievements.achievement", pk=ach.pk)
    assert embedding.embed_missing(encoder=dense_app) == 1


def test_run_pending_does_nothing_when_dense_matching_is_off(settings, db):
    settings.MATCHING_DENSE = False
    assert embedding.run_pending(encoder=SmallEncoder()) == {"dense": False}


def test_worker_records_an_error_instead_of_dying(dense_app, enterprise, university, rebuild, monkeypatch):
    make_filler(university, n=2)
    rebuild()

    def boom(*a, **k):
        raise RuntimeError("模型文件损坏")

    monkeypatch.setattr(embedding, "embed_missing", boom)
    result = embedding.run_pending(encoder=dense_app)
    assert "error" in result
    assert embedding.read_status()["phase"] == "error"


def test_health_page_shows_embedding_progress(
    dense_app, client, operator_user, enterprise, university, rebuild
):
    make_filler(university, n=3)
    rebuild()
    embedding.embed_missing(encoder=dense_app, limit=2)
    client.force_login(operator_user)
    html = client.get(reverse("matching:health")).content.decode()
    total = len(handle.get_engine().docs)
    assert f"全模型段落向量：2 / {total} 条" in html
    status = json.loads(embedding.status_path().read_text(encoding="utf-8"))
    assert status["passages_done"] == 2


def test_dense_worker_command_runs_one_pass(dense_app, enterprise, university, rebuild, monkeypatch):
    make_filler(university, n=2)
    rebuild()
    monkeypatch.setattr(embedding, "model", lambda: dense_app)
    call_command("matching_dense_worker", "--once")
    assert embedding.progress()["passages_share"] == 100.0


def test_only_one_embedding_pass_runs_at_a_time(dense_app, enterprise, university, rebuild):
    import fcntl

    make_filler(university, n=2)
    rebuild()
    path = handle.index_dir() / ".embedding.lock"
    with path.open("a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX)  # another worker is mid-pass
        assert embedding.run_pending(encoder=dense_app) == {"dense": True, "busy": True}
        fcntl.flock(other, fcntl.LOCK_UN)
    assert embedding.run_pending(encoder=dense_app)["embedded"] == len(handle.get_engine().docs)
