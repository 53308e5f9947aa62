"""Keep the aggregates current: a beat task for today and yesterday, and a debounced refresh per change."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models.functions import TruncDate
from django.utils import timezone

from tickets.models import ACTIVE_STATUSES, Ticket

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


# Longer than the beat interval (5 min), so that no due date slips between two runs.
DUE_WINDOW = timedelta(minutes=15)


@shared_task(acks_late=True)
def refresh_recent_stats() -> None:
    """Today and yesterday, plus the older days whose tickets have just gone past their due date.

    A due date passing changes 'late' figures without any ticket change (no ticket_changed),
    so the days of tickets whose current due date fell in the last minutes are recounted too.
    """
    today = local_today()
    refresh_stats(today - timedelta(days=1), today)
    now = timezone.now()
    just_due = (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, due_at__gt=now - DUE_WINDOW, due_at__lte=now)
        .annotate(day=TruncDate("created_at", tzinfo=LOCAL_TZ))
        .order_by()
        .values_list("office_id", "day")
        .distinct()
    )
    for office_id, day in just_due:
        if day < today - timedelta(days=1):
            refresh_stats(day, day, office_id=office_id)


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
    from .selectors import BOARD_SNAPSHOT_KEY, BOARD_WATCHED_KEY, compute_live_counts

    if not cache.get(BOARD_WATCHED_KEY):
        return
    cache.set(BOARD_SNAPSHOT_KEY, compute_live_counts(timezone.now()), 60)
