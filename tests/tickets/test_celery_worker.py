import pytest

from channels_app.outbound import queue_outbound_message
from tickets.models import Message

from ..factories import open_test_ticket
from ..workers import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_sends_the_reply_and_records_it_in_postgres(front_queue, citizen, front_operator):
    ticket = open_test_ticket(front_queue, citizen)
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel="email",
        author=front_operator,
        text="Risposta dal worker",
        delivery_status=Message.Delivery.PENDING,
    )
    worker = start_worker({"EMAIL_URL": "consolemail://"})
    try:
        queue_outbound_message(message.pk)  # through Redis, not eagerly
        sent = wait_for(
            lambda: Message.objects.filter(pk=message.pk, delivery_status=Message.Delivery.SENT).first(), timeout=60
        )
    finally:
        output = stop_worker(worker)
    assert sent is not None, output
    assert sent.external_id.startswith(ticket.reference)
