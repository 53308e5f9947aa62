"""Ingestion in batches (pipeline.ingest_pending, the drain_inbound task): one transaction, one savepoint per input."""

from email.message import EmailMessage

import pytest
from django.core import mail

from channels_app import pipeline
from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.pipeline import drain, ingest_pending
from tickets import services
from tickets.models import Message, Ticket

from ..factories import QueueFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def desk(db):
    return QueueFactory()


def email(i: int, subject: str = "Permesso di soggiorno") -> bytes:
    message = EmailMessage()
    message["From"] = f"Cittadino {i} <cittadino{i}@example.org>"
    message["To"] = "urp@comune.example.it"
    message["Subject"] = subject
    message["Message-ID"] = f"<batch-{i}@example.org>"
    message.set_content(f"Richiesta numero {i}.")
    return message.as_bytes()


def stored(count: int, **kwargs) -> list[InboundMessage]:
    return [store_email(email(i, **kwargs), enqueue=False)[0] for i in range(count)]


def test_a_batch_opens_one_ticket_per_input_and_acknowledges_each(desk):
    inputs = stored(5)
    assert ingest_pending(10) == 5
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundMessage.State.PROCESSED}
    assert Ticket.objects.count() == 5
    assert sorted(i.ticket.citizen.email for i in InboundMessage.objects.select_related("ticket__citizen")) == sorted(
        f"cittadino{i}@example.org" for i in range(5)
    )
    acks = Message.objects.filter(direction=Message.Direction.OUTBOUND)
    assert acks.count() == 5 and set(acks.values_list("delivery_status", flat=True)) == {Message.Delivery.SENT}
    assert len(mail.outbox) == 5
    assert all(i.pk for i in inputs)
    assert ingest_pending(10) == 0  # nothing left: a second drain changes nothing


def test_one_bad_input_is_quarantined_alone_with_its_reason(desk, monkeypatch):
    stored(2)
    store_email(email(7, subject="boom"), enqueue=False)
    stored_after = store_email(email(8), enqueue=False)[0]
    real_open_ticket = services.open_ticket

    def open_ticket(**kwargs):
        ticket = real_open_ticket(**kwargs)  # writes, then fails: its savepoint must undo them
        if kwargs["subject"] == "boom":
            raise RuntimeError("the disk is full")
        return ticket

    monkeypatch.setattr(services, "open_ticket", open_ticket)
    assert ingest_pending(10) == 4
    bad = InboundMessage.objects.get(external_id="batch-7@example.org")
    assert bad.state == InboundMessage.State.QUARANTINED
    assert bad.error == "RuntimeError: the disk is full"
    assert bytes(bad.raw) == email(7, subject="boom")  # the raw input is kept for a retry
    assert InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).count() == 3
    assert Ticket.objects.count() == 3 and not Ticket.objects.filter(subject="boom").exists()
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 3
    stored_after.refresh_from_db()
    assert stored_after.ticket is not None


def test_an_unreadable_input_is_quarantined_and_the_batch_goes_on(desk):
    garbage, _created = pipeline.store_inbound(channel="nosuchchannel", raw=b"\x00", enqueue=False)
    stored(2)
    assert ingest_pending(10) == 3
    garbage.refresh_from_db()
    assert garbage.state == InboundMessage.State.QUARANTINED
    assert "no adapter configured" in garbage.error
    assert Ticket.objects.count() == 2


def test_the_same_input_twice_is_one_message(desk):
    first = store_email(email(1), enqueue=False)[0]
    again, created = store_email(email(1), enqueue=False)
    assert (created, again.pk) == (False, first.pk)
    ingest_pending(10)
    pipeline.ingest_inbound(first.pk)  # a redelivered process_inbound task too
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


def test_an_input_whose_batch_died_is_left_to_requeue_received(desk):
    tried, fresh = stored(2)
    InboundMessage.objects.filter(pk=tried.pk).update(attempts=1)  # claimed by a worker that was killed
    assert ingest_pending(10) == 1
    tried.refresh_from_db()
    assert tried.state == InboundMessage.State.RECEIVED  # a poison input does not take a second batch down
    pipeline.ingest_inbound(tried.pk)  # what process_inbound does when requeue_received hands it over
    tried.refresh_from_db()
    assert tried.state == InboundMessage.State.PROCESSED
    assert Ticket.objects.count() == 2


def test_drain_takes_batch_after_batch_and_frees_its_slot(desk):
    from django.core.cache import cache

    stored(7)
    assert drain(0, batch_size=3) == 7
    assert Ticket.objects.count() == 7
    assert cache.get(pipeline._slot_key(0)) is None  # the next input wakes a drainer again


def test_ticket_changes_of_a_batch_are_announced_once_per_office_and_day(desk):
    announced = []

    def receiver(sender, **kwargs):
        announced.append(kwargs["office_id"])

    services.ticket_changed.connect(receiver, dispatch_uid="test-batch-announcements")
    try:
        stored(4)
        ingest_pending(10)
    finally:
        services.ticket_changed.disconnect(dispatch_uid="test-batch-announcements")
    assert announced == [desk.office_id]


def test_a_provider_outage_leaves_the_input_to_its_own_task_and_the_batch_goes_on(desk, graph, monkeypatch):
    from channels_app import tasks

    from .test_whatsapp import CORPUS, JPEG

    graph.add_media("65463453", JPEG, "image/jpeg")
    graph.state.media_failure = 503
    raw = (CORPUS / "pywa-message-image.json").read_bytes()
    picture = pipeline.store_inbound(channel="whatsapp", raw=raw, external_id="image", enqueue=False)[0]
    stored(2)
    retried = []
    monkeypatch.setattr(tasks.process_inbound, "apply_async", lambda args, **kwargs: retried.append(args[0]))

    assert ingest_pending(10) == 3
    picture.refresh_from_db()
    assert picture.state == InboundMessage.State.RECEIVED and retried == [picture.pk]
    assert Ticket.objects.count() == 2
    graph.state.media_failure = None  # Meta is back: the retried task ingests it with the picture
    pipeline.ingest_inbound(picture.pk)
    picture.refresh_from_db()
    assert picture.state == InboundMessage.State.PROCESSED
    assert picture.ticket.messages.get(direction=Message.Direction.INBOUND).attachments.get().file.read() == JPEG


def test_an_outage_met_while_writing_rolls_that_input_back_for_a_retry(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    from channels_app import tasks
    from channels_app.base import ChannelUnavailable

    stored(1)
    late = store_email(email(5, subject="later"), enqueue=False)[0]
    real_open_ticket = services.open_ticket

    def open_ticket(**kwargs):
        ticket = real_open_ticket(**kwargs)
        if kwargs["subject"] == "later":
            raise ChannelUnavailable("the provider is down")
        return ticket

    retried = []
    monkeypatch.setattr(services, "open_ticket", open_ticket)
    monkeypatch.setattr(tasks.process_inbound, "apply_async", lambda args, **kwargs: retried.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_pending(10) == 2
    late.refresh_from_db()
    assert late.state == InboundMessage.State.RECEIVED and retried == [late.pk]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Permesso di soggiorno"]
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 1
