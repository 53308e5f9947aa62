"""Real Celery workers over Redis on PostgreSQL: a worker killed mid-batch loses nothing, duplicates nothing."""

import signal
from pathlib import Path

import pytest

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.tasks import requeue_received
from tickets.models import Message, Ticket

from ..factories import QueueFactory
from ..workers import start_worker, stop_worker, wait_for

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "email"
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not here"),
]
N = 30


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing():
    QueueFactory()
    raw = (CORPUS / "talon-gmail.eml").read_bytes()
    worker = start_worker({"EMAIL_URL": "dummymail://"})
    try:
        for i in range(N):
            store_email(f"Message-ID: <kill-{i}@example.org>\r\n".encode() + raw, source="kill-test")
        # Kill the worker (no warm shutdown, no acks) while the batch is being processed.
        wait_for(lambda: Ticket.objects.count() >= 3, timeout=60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
        done_before = InboundMessage.objects.exclude(state=InboundMessage.State.RECEIVED).count()
        assert done_before < N or Ticket.objects.count() == N

        # The sweeper hands back whatever is still RECEIVED; a fresh worker finishes the batch.
        requeue_received(older_than=0)
        worker = start_worker({"EMAIL_URL": "dummymail://"})
        finished = wait_for(
            lambda: not InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED).exists(), timeout=120
        )
    finally:
        output = stop_worker(worker)
    assert finished, output
    assert InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).count() == N
    assert Ticket.objects.count() == N
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == N
    # At most one acknowledgement per request, even for the inputs processed twice.
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() <= N
