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

    monkeypatch.setattr(embedding, "_embed", boom)
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


def test_health_page_says_when_a_pass_under_way_has_stopped(
    dense_app, client, operator_user, enterprise, university, rebuild, monkeypatch
):
    """No process serves the "matching" queue (or the worker died) mid-pass: the phase still says
    "passages", but nothing has been written for STALL_MINUTES - the page says so and what to start."""
    from datetime import timedelta

    from django.utils import timezone

    make_filler(university, n=3)
    rebuild()
    embedding.embed_missing(encoder=dense_app, limit=2)  # items left: the phase stays "passages"
    client.force_login(operator_user)
    assert embedding.progress()["stalled_minutes"] is None
    assert 'id="dense-stalled"' not in client.get(reverse("matching:health")).content.decode()
    later = timezone.now() + timedelta(minutes=embedding.STALL_MINUTES + 5)
    monkeypatch.setattr(embedding.timezone, "now", lambda: later)
    assert embedding.progress()["stalled_minutes"] == embedding.STALL_MINUTES + 5
    html = client.get(reverse("matching:health")).content.decode()
    assert 'id="dense-stalled"' in html and "-Q matching" in html
    # a finished pass is idle, never "stalled", however old
    embedding.embed_missing(encoder=dense_app)
    monkeypatch.setattr(embedding.timezone, "now", lambda: later + timedelta(days=3))
    assert embedding.read_status()["phase"] == "idle"
    assert embedding.progress()["stalled_minutes"] is None


def test_another_machine_sees_the_workers_status_through_the_shared_cache(
    dense_app, enterprise, university, rebuild, settings, tmp_path
):
    """A -Q matching worker on another machine does not share MATCHING_INDEX_DIR with the web node: the
    web node reads the newest status, from its own file or from the shared cache."""
    make_filler(university, n=3)
    rebuild()
    embedding.embed_missing(encoder=dense_app, limit=2)
    written = embedding.read_status()
    settings.MATCHING_INDEX_DIR = tmp_path / "web-node"  # the web node: no status file of its own
    assert not embedding.status_path().exists()
    assert embedding.read_status() == written
    assert embedding.progress()["passages_done"] == 2


def test_embedding_goes_on_when_the_cache_cannot_take_the_status(
    dense_app, enterprise, university, rebuild, monkeypatch
):
    from django.core.cache import cache

    from techmarket.core.cache import CacheUnavailable

    def down(*args, **kwargs):
        raise CacheUnavailable("cache unavailable (test)")

    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "get", down)
    make_filler(university, n=2)
    rebuild()
    embedding.embed_missing(encoder=dense_app)
    assert embedding.progress()["passages_share"] == 100.0  # read back from this node's file


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


# --- time slices: a long embedding pass never holds a worker for long, and loses nothing -----------


def test_a_time_sliced_embed_run_stops_after_its_budget_and_owes_the_rest(
    dense_app, enterprise, university, rebuild, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from techmarket.matching import tasks
    from techmarket.outbox import services as outbox
    from techmarket.outbox.models import OutboxMessage

    make_filler(university, n=12)
    make_achievement(university)
    make_need(enterprise)
    rebuild()
    total = len(handle.get_engine().docs)
    monkeypatch.setattr(embedding, "BATCH", 3)
    assert 2 * 3 < total <= 3 * 3  # three slices of one batch each
    monkeypatch.setattr(embedding, "model", lambda: dense_app)
    settings.MATCHING_EMBED_SLICE_SECONDS = 0  # every slice ends after its first batch

    with django_capture_on_commit_callbacks(execute=False):
        first = tasks.embed_pending()
    assert first["embedded"] == 3 and first["left"] == total - 3
    assert first["continued"] is True
    owed = OutboxMessage.objects.get()
    assert (owed.task, owed.status) == (tasks.embed_pending.name, OutboxMessage.Status.PENDING)
    # a second owed pass is not written while one waits (it will see everything)
    assert tasks.owe_embed_pass() is False and OutboxMessage.objects.count() == 1

    # the outbox carries the continuation from slice to slice until every passage is embedded
    runs = [first]
    monkeypatch.setattr(embedding, "run_pending", _recording(embedding.run_pending, runs))
    for _ in range(10):
        if not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists():
            break
        with django_capture_on_commit_callbacks(execute=False):
            outbox.outbox_dispatch_due()
    assert [r["embedded"] for r in runs] == [3, 3, total - 6]
    assert runs[-1]["left"] == 0 and "continued" not in runs[-1]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.DONE}
    assert OutboxMessage.objects.count() == 2  # slices 2 and 3, each owed by the slice before
    assert embedding.progress()["passages_share"] == 100.0
    store = PassageStore(handle.passages_dir(), dense_app.dim, dense_app)
    chars = handle.product_config().passage_chars
    assert store.missing([(d.id, d.short_text(chars)) for d in handle.get_engine().docs.values()]) == []
    assert dense_app.calls == total  # each passage embedded once


def _recording(run_pending, runs):
    def run(*args, **kwargs):
        result = run_pending(*args, **kwargs)
        runs.append(result)
        return result

    return run


def test_without_a_budget_one_pass_embeds_everything(dense_app, enterprise, university, rebuild, monkeypatch):
    make_filler(university, n=12)
    make_achievement(university)
    rebuild()
    monkeypatch.setattr(embedding, "BATCH", 3)
    result = embedding.run_pending(encoder=dense_app)
    assert result["embedded"] == len(handle.get_engine().docs) and result["left"] == 0


def test_a_re_index_owes_one_embedding_pass_after_it_on_the_matching_queue(
    dense_app, enterprise, university, rebuild, settings, django_capture_on_commit_callbacks
):
    from techmarket.matching import tasks
    from techmarket.outbox import services as outbox
    from techmarket.outbox.models import OutboxMessage

    settings.CELERY_TASK_ALWAYS_EAGER = False  # production: a broker, embedding in the background
    first = make_achievement(university)
    second = make_achievement(university, title="钠离子电池硬碳负极材料")
    rebuild()
    with django_capture_on_commit_callbacks(execute=False):
        assert tasks.reindex_item("achievements.achievement", first.pk) == "indexed"
        assert tasks.reindex_item("achievements.achievement", second.pk) == "indexed"
        assert tasks.reindex_item("achievements.achievement", 10**9) == "absent"
    owed = list(OutboxMessage.objects.values_list("task", flat=True))
    assert owed == [tasks.embed_pending.name]  # one pass for both, none for an item not listed
    assert outbox.message_queue(owed[0]) == "matching"
    settings.CELERY_TASK_ALWAYS_EAGER = True  # inline (no broker): the dense worker process embeds instead
    with django_capture_on_commit_callbacks(execute=False):
        OutboxMessage.objects.all().delete()
        tasks.reindex_item("achievements.achievement", first.pk)
    assert not OutboxMessage.objects.exists()


def test_building_the_static_table_never_empties_the_served_index(
    dense_app, enterprise, university, rebuild, monkeypatch
):
    """The rebuild with the new static encoder fills a new index while the current one serves; a worker
    that dies meanwhile leaves the index whole (it used to publish an empty index first, and a worker
    killed mid-rebuild left it empty)."""
    from techmarket.matching import services

    make_filler(university, n=5)
    make_achievement(university)
    rebuild()
    before = set(handle.get_engine().docs)
    assert len(before) >= 3
    monkeypatch.setattr(embedding, "MIN_STATIC_DOCS", 1)
    monkeypatch.setattr(embedding, "build_static_encoder", lambda *a, **k: "static-encoder")
    seen = {}

    def worker_killed(progress=None, encoder=None):
        seen.update(encoder=encoder, served=set(handle.get_engine().docs))
        raise RuntimeError("worker killed mid-rebuild")

    monkeypatch.setattr(services, "rebuild_index", worker_killed)
    with pytest.raises(RuntimeError):
        embedding.ensure_static(encoder=dense_app)
    assert seen == {"encoder": "static-encoder", "served": before}
    handle.forget()  # another process reads what was published
    assert set(handle.get_engine().docs) == before and handle.get_engine().encoder is None
