"""Outbox tests: a broker that refuses connections, and the matching index in a temporary directory."""

import socket

import pytest
from kombu import pools

from config.celery import app as celery_app
from techmarket.matching import engine as handle
from techmarket.outbox import services


def _refused_port() -> int:
    """A loopback port nothing listens on (bound then released: connecting to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    handle.forget()
    yield
    handle.forget()


@pytest.fixture
def broker_down(settings):
    """Celery in its production shape (not eager) with a broker URL that refuses connections."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    url = f"redis://127.0.0.1:{_refused_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    conf.task_always_eager = False
    conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None

    def restore() -> None:
        services.broker_circuit_reset()
        pools.reset()  # close every pool, the refused URL's too; the app builds a fresh one
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        conf.task_always_eager, conf.broker_url = saved

    yield restore
    restore()
