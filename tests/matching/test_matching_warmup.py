"""The matching index is loaded before serving (gunicorn master with preload), and memory is reported as PSS."""

import importlib.util
import logging
import os
from pathlib import Path
from unittest import mock

from matching_items import make_achievement

from techmarket.matching import engine as handle
from techmarket.matching import services
from techmarket.matching.warmup import warm_matching_index

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_warm_up_loads_the_index_before_the_first_request(university, index_dir):
    make_achievement(university)
    services.rebuild_index()
    handle.forget()
    assert not handle._loaded
    info = warm_matching_index()
    assert info["documents"] == 1 and f"files:{index_dir}" in handle._loaded


def test_gunicorn_preloads_and_warms_in_the_master_then_closes_database_connections(db):
    conf = _load(ROOT / "config" / "gunicorn.conf.py", "gunicorn_conf")
    assert conf.preload_app is True and conf.timeout == 30
    server = mock.Mock()
    server.cfg.preload_app = True
    server.log = logging.getLogger("test.gunicorn")
    with (
        mock.patch("techmarket.matching.warmup.warm_matching_index", return_value={"documents": 0}) as warm,
        mock.patch("django.db.connections.close_all") as close_all,
    ):
        conf.when_ready(server)
        conf.post_fork(server, mock.Mock())
    assert warm.call_count == 2 and close_all.call_count == 1


def test_pss_report_reads_smaps_rollup_of_a_process_and_its_children():
    pss = _load(ROOT / "scripts" / "pss.py", "pss_script")
    data = pss.report([os.getpid()])
    me = data["processes"][0]
    assert me["pid"] == os.getpid() and me["pss"] > 0 and me["rss"] >= me["pss"]
    assert data["total_pss_mib"] >= me["pss"]


def test_celery_workers_load_the_index_before_forking_and_catch_up_in_each_pool_process(db):
    from celery.signals import worker_init, worker_process_init

    from config import celery as celery_conf

    assert celery_conf.warm_before_forking in [r[1]() for r in worker_init.receivers]
    assert celery_conf.catch_up_after_fork in [r[1]() for r in worker_process_init.receivers]
    with (
        mock.patch("techmarket.matching.warmup.warm_matching_index", return_value={"documents": 0}) as warm,
        mock.patch("django.db.connections.close_all") as close_all,
    ):
        celery_conf.warm_before_forking(sender=None)
        celery_conf.catch_up_after_fork(sender=None)
    assert warm.call_count == 2 and close_all.call_count == 1
