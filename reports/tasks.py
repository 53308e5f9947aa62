"""Keep the aggregates current: a beat task for today and yesterday, and a debounced refresh per change."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from .aggregates import LOCAL_TZ, local_today, refresh_stats

logger = logging.getLogger(__name__)

# A burst of changes to one office's day (a TV spot) costs one recompute per window.
DEFAULT_DEBOUNCE_SECONDS = 20


@shared_task(acks_late=True)
def refresh_stats_bucket(office_id: int, day_iso: str) -> None:
    day = date.fromisoformat(day_iso)
    cache.delete(_dirty_key(office_id, day))
    refresh_stats(day, day, office_id=office_id)
    if day != local_today():
        # Resolutions land on today's operator figures as well.
        refresh_stats(local_today(), local_today(), office_id=office_id)


@shared_task(acks_late=True)
def refresh_recent_stats() -> None:
    today = local_today()
    refresh_stats(today - timedelta(days=1), today)


def _dirty_key(office_id: int, day: date) -> str:
    return f"reports:stats-dirty:{office_id}:{day.isoformat()}"


def schedule_stats_refresh(sender, *, office_id: int, created_at: datetime, **kwargs) -> None:
    """Receiver of tickets.services.ticket_changed (after commit): refresh that (day, office) soon, once."""
    day = created_at.astimezone(LOCAL_TZ).date()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded setup: no worker, no beat; a bucket is small, recompute it now.
        refresh_stats_bucket.apply(args=(office_id, day.isoformat()))
        return
    debounce = getattr(settings, "SPORTELLO_STATS_DEBOUNCE_SECONDS", DEFAULT_DEBOUNCE_SECONDS)
    if cache.add(_dirty_key(office_id, day), 1, debounce * 3 + 10):
        try:
            refresh_stats_bucket.apply_async(args=(office_id, day.isoformat()), countdown=debounce)
        except Exception:  # the broker down must not fail the ticket change; beat catches up
            cache.delete(_dirty_key(office_id, day))
            logger.exception("could not schedule a statistics refresh")


@shared_task(acks_late=False, expires=10)
def refresh_board_snapshot() -> None:
    """Every few seconds while a supervisor watches the board: recount the live queues once for all."""
    from django.utils import timezone

    from .selectors import BOARD_SNAPSHOT_KEY, BOARD_WATCHED_KEY, compute_live_counts

    if not cache.get(BOARD_WATCHED_KEY):
        return
    cache.set(BOARD_SNAPSHOT_KEY, compute_live_counts(timezone.now()), 60)
