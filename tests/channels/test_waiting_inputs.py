"""Inputs nobody was told about (stored while the broker was away) reach a worker by every way back.

Tasks run eagerly here; tests/faults runs the same paths in real workers against a Redis that
goes away and comes back.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.tasks import HandBackWaitingInputs, requeue_received, wake_drainer_for_waiting_inputs
from contactcenter.celery import app
from tickets.models import Ticket

from ..factories import QueueFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def citizen_mail(number: int) -> bytes:
    return (
        f"Message-ID: <waiting-{number}@cittadini.example.org>\r\n"
        f"From: Cittadino <waiting-{number}@cittadini.example.org>\r\n"
        "To: sportello@example.org\r\n"
        f"Subject: Ricongiungimento familiare ({number})\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Buongiorno, quali documenti servono?\r\n"
    ).encode()


@pytest.fixture
def stored_unannounced(db):
    """Three inputs committed while nobody could tell the workers, 30 s ago; none tried yet."""
    QueueFactory()
    inbounds = [store_email(citizen_mail(number), enqueue=False)[0] for number in range(3)]
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(seconds=30))
    return inbounds


def states() -> list[str]:
    return sorted(InboundMessage.objects.values_list("state", flat=True))


def test_a_worker_consuming_again_hands_back_every_waiting_input_whatever_its_age(stored_unannounced):
    assert HandBackWaitingInputs in app.steps["consumer"]  # started at each (re)connection of a worker
    InboundMessage.objects.filter(pk=stored_unannounced[0].pk).update(received_at=timezone.now())

    HandBackWaitingInputs(parent=None).start(parent=None)

    assert states() == [InboundMessage.State.PROCESSED] * 3
    assert Ticket.objects.count() == 3


def test_inputs_left_waiting_longer_than_ten_seconds_wake_a_drainer(stored_unannounced):
    assert app.conf.beat_schedule["wake-for-waiting-inputs"]["schedule"] <= 10
    oldest = stored_unannounced[0]
    InboundMessage.objects.filter(pk=oldest.pk).update(received_at=timezone.now() - timedelta(minutes=1))

    assert wake_drainer_for_waiting_inputs() is True

    # Eagerly, the input handed over is processed alone; with a broker, the drainer woken for it
    # takes every waiting input (tests/faults, the frozen Redis).
    oldest.refresh_from_db()
    assert oldest.state == InboundMessage.State.PROCESSED
    for _ in range(2):
        wake_drainer_for_waiting_inputs()
    assert wake_drainer_for_waiting_inputs() is False
    assert states() == [InboundMessage.State.PROCESSED] * 3


def test_inputs_just_stored_are_left_to_the_workers_already_told(stored_unannounced):
    InboundMessage.objects.update(received_at=timezone.now())

    assert wake_drainer_for_waiting_inputs() is False
    assert states() == [InboundMessage.State.RECEIVED] * 3


def test_the_sweep_takes_untried_inputs_in_one_batch_and_tried_ones_alone(stored_unannounced):
    tried = stored_unannounced[0]
    InboundMessage.objects.filter(pk=tried.pk).update(attempts=1)  # its batch died

    assert requeue_received(older_than=0) == 3

    assert states() == [InboundMessage.State.PROCESSED] * 3
    tried.refresh_from_db()
    assert tried.attempts == 2  # tried once more, by process_inbound
    assert Ticket.objects.count() == 3
