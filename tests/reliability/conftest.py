"""Redis (cache and broker) and PostgreSQL made unreachable for one test.

Dead ports (nothing listens on 127.0.0.1:1) or a private redis-server on a port of its own, which
the test stops and starts again; the shared Redis on 6379 is never touched.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once


@pytest.fixture(autouse=True)
def _fresh_outage_state(monkeypatch):
    """Each test starts knowing of no outage (the circuit breakers are per process)."""
    from contactcenter import broker
    from contactcenter import cache as shared_cache

    monkeypatch.setattr(shared_cache, "_outages", {})
    monkeypatch.setattr(broker, "_down_until", 0.0)


def point_cache(settings, url: str) -> None:
    """The default cache on `url`, with the sessions read through it as in production (REDIS_URL set)."""
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": url}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def point_broker(monkeypatch, url: str) -> None:
    """Celery publishes to `url` (tasks no longer run eagerly) until the test ends."""
    from contactcenter.celery import app

    _set_conf(task_always_eager=False, broker_url=url)
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its configuration
    # The connection and producer pools were made for the previous broker: built again for this one.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


_conf_changes: list[dict] = []


def _set_conf(**values) -> None:
    """Change Celery's configuration until the test ends (app.conf is no plain object: monkeypatch cannot undo it)."""
    from contactcenter.celery import app

    _conf_changes.append({name: app.conf[name] for name in values})
    app.conf.update(values)


@pytest.fixture(autouse=True)
def _restore_celery_conf():
    yield
    from contactcenter.celery import app

    while _conf_changes:
        app.conf.update(_conf_changes.pop())


@pytest.fixture
def cache_down(settings):
    point_cache(settings, DEAD_REDIS)


@pytest.fixture
def broker_down(monkeypatch):
    point_broker(monkeypatch, DEAD_REDIS)


@pytest.fixture
def eager():
    """Tasks run in this process (the embedded default), whatever broker the environment names."""
    _set_conf(task_always_eager=True, task_eager_propagates=False)


@pytest.fixture
def database_down():
    """Every SQL statement fails as with PostgreSQL gone (django.db.OperationalError); .undo() brings it back."""
    from django.db import OperationalError
    from django.db.backends import utils

    def refuse(*_args, **_kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    outage = pytest.MonkeyPatch()
    for wrapper in (utils.CursorWrapper, utils.CursorDebugWrapper):
        outage.setattr(wrapper, "execute", refuse)
        outage.setattr(wrapper, "executemany", refuse)
    yield outage
    outage.undo()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, persisting to an AOF file like docker-compose's (appendonly yes)."""

    def __init__(self, directory) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> RedisServer:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "yes", "--dir", str(self.directory), "--protected-mode", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Redis writes its AOF and exits, as `docker compose stop redis` does."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def unsafe_client(client):
    """The test client answering as the server would, instead of raising the view's exception."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def seeded_faq(db, office):
    from faq.demo import seed_faq

    seed_faq()


@pytest.fixture
def portal_ready(seeded_faq, front_queue, back_queue):
    """Seeded FAQ plus the queues a new web request lands in."""
