"""/healthz and /readyz as docker-compose and a load balancer ask them; the same state on the live board."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from contactcenter import heartbeat
from tests.conftest import login_verified

from .conftest import point_broker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_board_state(monkeypatch):
    from contactcenter import health

    monkeypatch.setattr(health, "_board_state", None)  # the board's answer is kept a few seconds


def test_healthz_says_the_process_is_alive(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" not in response
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_readyz_on_the_embedded_default_counts_eager_tasks_as_the_worker(client, eager):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "workers": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" not in response


def test_readyz_names_the_broker_when_it_is_down(client, broker_down):
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable", "workers": "unavailable"},
    }
    assert "127.0.0.1" not in response.text  # reasons go to the log, not to whoever asks


def test_readyz_needs_a_worker_heartbeat(client, private_redis, monkeypatch, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": private_redis.url.replace("/0", "/1")},
    }
    point_broker(monkeypatch, private_redis.url)
    none = client.get("/readyz")
    assert none.status_code == 503
    assert none.json()["checks"] == {"database": "ok", "broker": "ok", "workers": "unavailable"}

    heartbeat.record_beat("celery@worker-1")
    assert client.get("/readyz").json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "workers": "ok"},
    }

    heartbeat.forget_worker("celery@worker-1")
    heartbeat.record_beat("celery@worker-2", now=time.time() - heartbeat.ALIVE_SECONDS - 1)  # went quiet
    assert client.get("/readyz").status_code == 503


def test_readyz_names_the_database_when_it_is_down(unsafe_client, eager, database_down):
    response = unsafe_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_probes_are_answered_on_plain_http_when_https_is_enforced(client, settings, eager):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get(reverse("login")).status_code == 301  # everything else goes to HTTPS


def test_the_live_board_shows_broker_workers_and_cache(client, supervisor, settings, private_redis, monkeypatch):
    login_verified(client, supervisor)
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": private_redis.url.replace("/0", "/1")},
    }
    point_broker(monkeypatch, private_redis.url)
    heartbeat.record_beat("celery@worker-1")
    page = client.get(reverse("dashboard:board_live")).text
    assert 'data-service="broker" data-state="ok"' in page
    assert 'data-service="workers" data-state="ok"' in page
    assert "1 active" in page
    assert 'data-service="cache" data-state="ok"' in page
    assert 'id="board-services-alarm"' not in page


def test_the_live_board_warns_when_the_broker_is_down(client, supervisor, broker_down):
    login_verified(client, supervisor)
    page = client.get(reverse("dashboard:board_live")).text
    assert 'data-service="broker" data-state="unavailable"' in page
    assert 'data-service="workers" data-state="unavailable"' in page
    assert 'id="board-services-alarm"' in page


@pytest.mark.postgres
def test_a_real_worker_beats_and_readyz_counts_it(client, private_redis, monkeypatch, settings):
    from tests.workers import start_worker, stop_worker, wait_for

    cache_url = private_redis.url.replace("/0", "/1")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": cache_url},
    }
    point_broker(monkeypatch, private_redis.url)
    worker = start_worker({"CELERY_BROKER_URL": private_redis.url, "REDIS_URL": cache_url})
    try:
        ready = wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60)
        output = "" if ready else stop_worker(worker)
        assert ready, output
        assert heartbeat.list_live_workers()
    finally:
        stop_worker(worker)
    # A worker that stops says so: it is not counted for the rest of ALIVE_SECONDS.
    assert client.get("/readyz").json()["checks"]["workers"] == "unavailable"
