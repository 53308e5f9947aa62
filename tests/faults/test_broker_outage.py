"""Redis goes away for 10 s under a real prefork worker with an acks-late task in flight (issue 20).

The worker must come through it alive and consuming, and the inputs stored while Redis was away
(intake stores first, DESIGN §4; nobody could tell the workers) must reach a worker within seconds
of its return, not at the next 5-minute sweep. A stopped Redis breaks the worker's connection, and
its reconnection hands them back (HandBackWaitingInputs); a frozen one breaks nothing, and beat's
10-second probe does (wake_drainer_for_waiting_inputs). Each test prints how long it took;
docs/reliability.md keeps the figures.

`make test-faults` runs every fault of the matrix; the CI leg on PostgreSQL + Redis runs the first.
"""

import os
import time

import pytest

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from tickets.models import Message, Ticket

from ..factories import QueueFactory
from ..workers import wait_for
from .services import Beat, PrivateRedis, Worker, send_task

OUTAGE_SECONDS = float(os.environ.get("SPORTELLO_FAULT_OUTAGE_SECONDS", 10))  # longer ones: docs/reliability.md
RECOVERY_LIMIT = 20  # seconds; the sweep that used to pick them up runs every 300 s for inputs older than 120 s
STORED_DURING_OUTAGE = int(os.environ.get("SPORTELLO_FAULT_INPUTS", 5))
FULL_MATRIX = os.environ.get("SPORTELLO_FAULT_MATRIX") == "1"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FAULTS = [
    pytest.param("restart", id="stopped-then-started-empty"),  # redis-server without persistence: queues are lost
    pytest.param(
        "restart-persistent",
        id="stopped-then-started-aof",  # docker-compose.yml's Redis: the append-only file keeps the queues
        marks=pytest.mark.skipif(not FULL_MATRIX, reason="make test-faults runs the whole matrix"),
    ),
    pytest.param(
        "freeze",
        id="frozen",  # SIGSTOP: the sockets stay open and nothing answers; with beat, as in production
        marks=pytest.mark.skipif(not FULL_MATRIX, reason="make test-faults runs the whole matrix"),
    ),
]


def citizen_mail(tag: str, number: int) -> bytes:
    return (
        f"Message-ID: <{tag}-{number}@cittadini.example.org>\r\n"
        f"From: Cittadino {number} <{tag}-{number}@cittadini.example.org>\r\n"
        "To: sportello@example.org\r\n"
        f"Subject: Rinnovo del permesso di soggiorno ({tag} {number})\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Buongiorno, quali documenti servono per il rinnovo?\r\n"
    ).encode()


def store(tag: str, number: int) -> InboundMessage:
    inbound, created = store_email(citizen_mail(tag, number), source="fault-test", enqueue=False)
    assert created
    return inbound


def processed(*inbounds: InboundMessage) -> bool:
    ids = [inbound.pk for inbound in inbounds]
    return InboundMessage.objects.filter(pk__in=ids, state=InboundMessage.State.PROCESSED).count() == len(ids)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_worker_outlives_a_redis_outage_and_gets_what_waited_within_seconds(fault, tmp_path, capsys):
    QueueFactory()
    broker = PrivateRedis(tmp_path, persistent=fault == "restart-persistent").start()
    worker = Worker(broker, tmp_path / "worker.log")
    beat = Beat(broker, tmp_path, tmp_path / "beat.log") if fault == "freeze" else None
    try:
        first = store("before", 0)
        send_task(broker, "channels_app.tasks.process_inbound", first.pk)
        assert wait_for(lambda: processed(first), timeout=60), worker.output()

        # An acks-late task is in flight in a pool process when Redis goes away.
        marker = tmp_path / "hold"
        send_task(broker, "tests.faults.hold", OUTAGE_SECONDS / 2, str(marker))
        assert wait_for(marker.exists, timeout=20), worker.output()
        down_at = time.monotonic()
        broker.freeze() if fault == "freeze" else broker.stop()

        # Intake goes on: the inputs are committed, and the workers cannot be told.
        waiting = [store("outage", number) for number in range(STORED_DURING_OUTAGE)]
        time.sleep(max(0.0, down_at + OUTAGE_SECONDS - time.monotonic()))

        broker.thaw() if fault == "freeze" else broker.start()
        up_at = time.monotonic()
        recovered = wait_for(lambda: processed(*waiting), timeout=RECOVERY_LIMIT, interval=0.05)
        recovery = time.monotonic() - up_at
        with capsys.disabled():
            print(
                f"\n[{fault}] {STORED_DURING_OUTAGE} inputs stored during a {OUTAGE_SECONDS:g} s outage: "
                + (f"processed {recovery:.1f} s after Redis answered again" if recovered else
                   f"still waiting {RECOVERY_LIMIT} s after Redis answered again")
            )  # fmt: skip

        assert worker.alive(), worker.output()
        assert len(worker.pool_processes()) == worker.concurrency, worker.output()
        assert recovered, worker.output()

        # A task sent after the outage is consumed by the same worker.
        after = store("after", 0)
        send_task(broker, "channels_app.tasks.process_inbound", after.pk)
        assert wait_for(lambda: processed(after), timeout=30), worker.output()
    finally:
        output = worker.stop()
        if beat is not None:
            beat.stop()
        broker.stop()

    assert "Unrecoverable error" not in output, output
    # Nothing lost, nothing twice: one request and one citizen's message per input.
    inputs = 2 + STORED_DURING_OUTAGE
    assert InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).count() == inputs
    assert Ticket.objects.count() == inputs
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == inputs


@pytest.mark.skipif(not FULL_MATRIX, reason="make test-faults runs the whole matrix")
def test_a_worker_started_while_redis_is_down_waits_for_it_and_takes_what_waited(tmp_path, capsys):
    QueueFactory()
    broker = PrivateRedis(tmp_path)  # not started yet: a host coming up, the worker before Redis
    waiting = [store("before-redis", number) for number in range(STORED_DURING_OUTAGE)]
    worker = Worker(broker, tmp_path / "worker.log")
    try:
        time.sleep(OUTAGE_SECONDS)
        assert worker.alive(), worker.output()
        broker.start()
        up_at = time.monotonic()
        recovered = wait_for(lambda: processed(*waiting), timeout=RECOVERY_LIMIT, interval=0.05)
        with capsys.disabled():
            print(
                f"\n[start-without-redis] {STORED_DURING_OUTAGE} inputs stored before Redis was up: "
                + (f"processed {time.monotonic() - up_at:.1f} s after it answered" if recovered else "still waiting")
            )
        assert recovered, worker.output()
    finally:
        output = worker.stop()
        broker.stop()
    assert "Unrecoverable error" not in output, output
    assert Ticket.objects.count() == STORED_DURING_OUTAGE
