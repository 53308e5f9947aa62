"""/healthz and /readyz, for docker-compose health checks and load balancers; the same state on the live board.

/healthz: this process answers (nothing else is touched). /readyz: the database answers a
SELECT 1, the broker a connection within a second, and at least one worker beat in the last
ALIVE_SECONDS (contactcenter.heartbeat); with tasks run eagerly (the embedded default) there is
no broker to reach and this process is the worker. Each check is named in the JSON answer:

    {"status": "ok", "checks": {"database": "ok", "broker": "ok", "workers": "ok"}}   200
    {"status": "unavailable", "checks": {..., "broker": "unavailable", ...}}          503

Only the words "ok" and "unavailable": the reasons (host names, errors) go to the log, not to
whoever asks. Both are answered on plain HTTP (settings.SECURE_REDIRECT_EXEMPT), are never
stored by a cache and get no CSP header; a probe sends no cookie, so no session is read. The
Host a probe sends must be in ALLOWED_HOSTS (docker-compose probes localhost).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from csp.decorators import csp_exempt
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .broker import is_eager, ping_broker
from .cache import CacheUnavailable, ping_cache
from .heartbeat import list_live_workers

logger = logging.getLogger(__name__)

OK, UNAVAILABLE = "ok", "unavailable"
BROKER_TIMEOUT_SECONDS = 1.0


@dataclass
class Readiness:
    checks: dict[str, str]
    workers: list[str] = field(default_factory=list)  # names of the live workers ([] when eager)
    eager: bool = False
    cache: str | None = None  # the board's only (get_board_readiness): without the cache the site works

    @property
    def ok(self) -> bool:
        return all(value == OK for value in self.checks.values())


def _check(name: str, probe) -> str:
    try:
        probe()
    except Exception as error:  # any failure is "unavailable"; what it was goes to the log
        logger.warning("readiness: %s unavailable: %r", name, error)  # one line: probes come every few seconds
        return UNAVAILABLE
    return OK


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _live_workers() -> list[str]:
    """From the heartbeats in the cache; when the cache cannot be read, asked over the broker instead."""
    try:
        return list_live_workers()
    except CacheUnavailable:
        from .celery import app

        replies = app.control.ping(timeout=BROKER_TIMEOUT_SECONDS, limit=1) or []
        return sorted(name for reply in replies for name in reply)


def check_readiness(*, database: bool = True) -> Readiness:
    """What /readyz answers. database=False for a page that has just read the database (the board)."""
    checks = {"database": _check("database", _select_one) if database else OK}
    eager = is_eager()
    workers: list[str] = []
    if eager:
        checks["broker"] = checks["workers"] = OK
    else:
        checks["broker"] = _check("broker", lambda: ping_broker(BROKER_TIMEOUT_SECONDS))
        if checks["broker"] == OK:
            try:
                workers = _live_workers()
            except Exception:
                logger.warning("readiness: workers cannot be counted", exc_info=True)
        checks["workers"] = OK if workers else UNAVAILABLE
    return Readiness(checks=checks, workers=workers, eager=eager)


_board_state: tuple[float, Readiness] | None = None
BOARD_STATE_SECONDS = 5.0


def get_board_readiness() -> Readiness:
    """check_readiness() for the live board, at most once per BOARD_STATE_SECONDS per process.

    Every open board polls every 5 seconds; the broker is asked once for all of them.
    """
    global _board_state
    now = time.monotonic()
    if _board_state is None or now - _board_state[0] >= BOARD_STATE_SECONDS:
        readiness = check_readiness(database=False)
        readiness.cache = _check("cache", ping_cache)
        _board_state = (now, readiness)
    return _board_state[1]


@csp_exempt()
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serves requests: nothing else is asked."""
    return JsonResponse({"status": OK})


@csp_exempt()
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    readiness = check_readiness()
    body = {"status": OK if readiness.ok else UNAVAILABLE, "checks": readiness.checks}
    return JsonResponse(body, status=200 if readiness.ok else 503)
