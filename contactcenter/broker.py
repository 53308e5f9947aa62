"""Handing stored work to the Celery workers without letting a broker outage fail the request.

The broker (Redis) only carries "there is work for you"; the work itself is in PostgreSQL first
(an InboundMessage RECEIVED, a Message PENDING). So when the broker cannot take a task, the
request that stored the work still succeeds: the task is dropped with a warning, and the sweep
hands the work to the workers again once the broker is back (channels_app.tasks.requeue_received
for inputs). After a failure, publishing is skipped for RETRY_SECONDS in this process, so that
an outage costs one connection attempt every few seconds, not one per request.
"""

from __future__ import annotations

import logging
import time

from kombu.exceptions import OperationalError
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# One quick retry (a broker fail-over), instead of Celery's three: the request is waiting.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
BROKER_ERRORS = (OperationalError, redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

_down_until = 0.0


def enqueue(task, *args, **kwargs) -> bool:
    """task.delay(*args, **kwargs); False (logged) when the broker cannot take it now.

    Only for work already committed to the database, which a sweep picks up again: the caller
    goes on as if the task were queued. With tasks run eagerly (the embedded default) the task
    runs here, exactly as delay() would run it.
    """
    return publish(task, args, kwargs)


def publish(task, args: tuple = (), kwargs: dict | None = None, **options) -> bool:
    """task.apply_async(args, kwargs, **options), with enqueue()'s handling of an unreachable broker."""
    global _down_until
    if task.app.conf.task_always_eager:
        task.apply_async(args, kwargs, **options)
        return True
    if _down_until > time.monotonic():
        logger.info("broker unavailable: %s%r left for the sweep", task.name, args)
        return False
    try:
        task.apply_async(args, kwargs, retry_policy=PUBLISH_RETRY_POLICY, **options)
    except BROKER_ERRORS as error:
        _down_until = time.monotonic() + RETRY_SECONDS
        logger.warning("broker unavailable: %s%r left for the sweep (%s)", task.name, args, error)
        return False
    _down_until = 0.0
    return True


def is_eager() -> bool:
    """Tasks run in this process (no broker: the embedded default)."""
    from contactcenter.celery import app

    return bool(app.conf.task_always_eager)


def ping_broker(timeout: float = 1.0) -> None:
    """Connect to the broker and back, within `timeout` seconds; raises when it cannot be reached.

    Nothing to reach when tasks run eagerly.
    """
    from contactcenter.celery import app

    if app.conf.task_always_eager:
        return
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    with app.connection_for_write(connect_timeout=timeout, transport_options=options) as connection:
        # No retry: a health check answers now. The Redis transport PINGs as it opens the channel.
        connection.ensure_connection(max_retries=0, timeout=timeout)
        connection.default_channel  # noqa: B018 - opening it is the round trip
