"""Workers say they are alive: each writes its name and the time into the cache every few seconds.

/readyz and the supervisor's live board read it (contactcenter.health). A Consumer bootstep beats
only while the worker consumes tasks: when the worker loses the broker, Celery stops the
consumer's steps until it reconnects, and the worker's beat goes stale. One cache key holds
every worker's last beat (a read-modify-write without a lock, as the desk's "who is looking":
two beats at once may drop one name until that worker's next beat, well within ALIVE_SECONDS).
"""

from __future__ import annotations

import time

from celery import bootsteps
from django.core.cache import cache
from django.db import connection

from .cache import strict_cache

BEAT_SECONDS = 10.0
ALIVE_SECONDS = 45.0


def _workers_key() -> str:
    # Per database, like the ingestion slots: deployments (or test runs) sharing one Redis stay apart.
    return f"health:workers:{connection.settings_dict['NAME']}"


def record_beat(hostname: str, now: float | None = None) -> None:
    """This worker is alive now. Dropped silently while the cache is down (nothing to keep then)."""
    now = time.time() if now is None else now
    beats = {name: seen for name, seen in (cache.get(_workers_key()) or {}).items() if now - seen < ALIVE_SECONDS}
    beats[hostname] = now
    cache.set(_workers_key(), beats, int(ALIVE_SECONDS * 2))


def forget_worker(hostname: str) -> None:
    """This worker stops: do not count it any more."""
    beats = cache.get(_workers_key()) or {}
    if beats.pop(hostname, None) is not None:
        cache.set(_workers_key(), beats, int(ALIVE_SECONDS * 2))


def list_live_workers(now: float | None = None) -> list[str]:
    """Names of the workers that beat in the last ALIVE_SECONDS; raises CacheUnavailable when it cannot be read."""
    now = time.time() if now is None else now
    beats = strict_cache().get(_workers_key()) or {}
    return sorted(name for name, seen in beats.items() if now - seen < ALIVE_SECONDS)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Consumer bootstep (contactcenter.celery adds it): beat at start, then every BEAT_SECONDS.

    On the consumer's timer, as Celery's own event heartbeat (celery.worker.consumer.heart): no
    thread of ours in a process that forks its pool.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs) -> None:
        self.tref = None
        super().__init__(c, **kwargs)

    def start(self, c) -> None:
        record_beat(c.hostname)
        self.tref = c.timer.call_repeatedly(BEAT_SECONDS, record_beat, (c.hostname,))

    def stop(self, c) -> None:
        if self.tref is not None:
            c.timer.cancel(self.tref)
            self.tref = None

    def shutdown(self, c) -> None:
        self.stop(c)
        forget_worker(c.hostname)
