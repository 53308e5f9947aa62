"""With a broker, ticket changes reach the aggregates through a real Celery worker."""

import pytest
from django.core.cache import cache

from reports.aggregates import local_today
from reports.models import DailyStat
from reports.tasks import _dirty_key

from ..factories import open_test_ticket
from ..workers import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_new_ticket_reaches_the_daily_aggregates_through_the_worker(front_queue, settings):
    settings.SPORTELLO_STATS_DEBOUNCE_SECONDS = 0
    cache.delete(_dirty_key(front_queue.office_id, local_today()))
    worker = start_worker()
    try:
        open_test_ticket(front_queue, channel="whatsapp")
        open_test_ticket(front_queue, channel="whatsapp")
        row = wait_for(
            lambda: DailyStat.objects.filter(day=local_today(), channel="whatsapp", created=2).first(), timeout=60
        )
    finally:
        output = stop_worker(worker)
    assert row is not None, output
