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
    real_open_ticket, real_open_tickets = services.open_ticket, services.open_tickets

    def open_ticket(**kwargs):
        ticket = real_open_ticket(**kwargs)  # writes, then fails: its savepoint must undo them
        if kwargs["subject"] == "boom":
            raise RuntimeError("the disk is full")
        return ticket

    def open_tickets(requests):
        tickets = real_open_tickets(requests)  # the batch's together, then one by one
        if any(request.subject == "boom" for request in requests):
            raise RuntimeError("the disk is full")
        return tickets

    monkeypatch.setattr(services, "open_ticket", open_ticket)
    monkeypatch.setattr(services, "open_tickets", open_tickets)
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


def test_a_deadlock_leaves_the_input_waiting_for_a_retry_not_quarantined(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from channels_app import tasks
    from channels_app.base import ChannelUnavailable

    class DeadlockDetected(Exception):
        sqlstate = "40P01"  # what psycopg says when PostgreSQL broke a lock cycle

    def crossing_locks(**kwargs):
        raise OperationalError("deadlock detected") from DeadlockDetected()

    late = store_email(email(5, subject="later"), enqueue=False)[0]
    monkeypatch.setattr(services, "open_ticket", crossing_locks)
    retried = []
    monkeypatch.setattr(tasks.process_inbound, "apply_async", lambda args, **kwargs: retried.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_pending(10) == 1  # alone in its batch: written the one-by-one way
    late.refresh_from_db()
    assert (late.state, late.error, retried) == (InboundMessage.State.RECEIVED, "", [late.pk])
    with pytest.raises(ChannelUnavailable):  # the retried task: tried again later, with backoff
        pipeline.ingest_inbound(late.pk)
    late.refresh_from_db()
    assert late.state == InboundMessage.State.RECEIVED
    monkeypatch.undo()  # the locks no longer cross: the next try writes it
    pipeline.ingest_inbound(late.pk)
    late.refresh_from_db()
    assert late.state == InboundMessage.State.PROCESSED and late.ticket.subject == "later"


def test_a_batch_stops_at_its_byte_budget_and_a_bigger_input_comes_alone(desk, monkeypatch):
    first, second, third = stored(3)
    sizes = [len(bytes(i.raw)) for i in (first, second, third)]
    monkeypatch.setattr(pipeline, "BATCH_BYTES", sizes[0] + sizes[1])  # room for two, not three
    assert ingest_pending(10) == 2
    assert set(InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 10)  # smaller than any input: each still goes, alone
    store_email(email(9), enqueue=False)
    assert ingest_pending(10) == 1
    assert ingest_pending(10) == 1
    assert ingest_pending(10) == 0
    assert Ticket.objects.count() == 4


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
    real_open_ticket, real_open_tickets = services.open_ticket, services.open_tickets

    def open_ticket(**kwargs):
        ticket = real_open_ticket(**kwargs)
        if kwargs["subject"] == "later":
            raise ChannelUnavailable("the provider is down")
        return ticket

    def open_tickets(requests):
        tickets = real_open_tickets(requests)
        if any(request.subject == "later" for request in requests):
            raise ChannelUnavailable("the provider is down")
        return tickets

    retried = []
    monkeypatch.setattr(services, "open_ticket", open_ticket)
    monkeypatch.setattr(services, "open_tickets", open_tickets)
    monkeypatch.setattr(tasks.process_inbound, "apply_async", lambda args, **kwargs: retried.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_pending(10) == 2
    late.refresh_from_db()
    assert late.state == InboundMessage.State.RECEIVED and retried == [late.pk]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Permesso di soggiorno"]
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 1


# --- A batch writes what one by one writes ----------------------------------------------------
# ingest_pending opens the batch's new requests together (services.open_tickets, one statement
# per table) and leaves the rest to the one-input path: the result must not depend on the path.

CAMPAIGN_DATE = "Mon, 30 Nov 2026 09:15:00 +0100"


def _mail(n: int, sender: str, subject: str = "Permesso di soggiorno", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "urp@comune.example.it"
    message["Subject"] = subject
    message["Date"] = CAMPAIGN_DATE
    message["Message-ID"] = f"<mix-{n}@example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"Messaggio {n}: quali documenti servono?")
    return message.as_bytes()


def _campaign(queue) -> None:
    """What a morning brings, stored: new and known senders, a sender twice, replies, repeats, an auto-reply."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tickets.models import Status

    from ..factories import CitizenFactory, make_operator, open_test_ticket
    from .test_whatsapp import text_payload

    CitizenFactory(email="giulia.verdi@example.org", first_name="Giulia", last_name="Verdi", phone="")
    luca = CitizenFactory(email="luca@example.org", first_name="Luca", last_name="Neri", phone="")
    at = datetime(2026, 11, 30, 9, 20, tzinfo=ZoneInfo("Europe/Rome"))
    first = open_test_ticket(queue, luca, external_id="known-1@example.org", received_at=at - timedelta(days=2))
    merged = open_test_ticket(queue, luca, external_id="merged-1@example.org", received_at=at - timedelta(days=3))
    Ticket.objects.filter(pk=merged.pk).update(merged_into=first)
    rosa = CitizenFactory(email="rosa@example.org", first_name="Rosa", last_name="Gialli", phone="")
    resolved = open_test_ticket(queue, rosa, received_at=at - timedelta(days=5))
    Ticket.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, resolved_at=at - timedelta(days=1))
    omar = CitizenFactory(
        email="", whatsapp_id="393330000002", phone="+393330000002", first_name="Omar", last_name="Said"
    )
    waiting = open_test_ticket(
        queue, omar, channel="whatsapp", external_id="wamid.w0", received_at=at - timedelta(days=2)
    )  # fmt: skip
    Ticket.objects.filter(pk=waiting.pk).update(status=Status.WAITING_CITIZEN, assignee=make_operator(queues=[queue]))
    CitizenFactory(email="", whatsapp_id="393330000003", phone="+393330000003", first_name="Lina", last_name="Rossi")
    chatting = CitizenFactory(
        email="", whatsapp_id="393330000001", phone="+393330000001", first_name="Karim", last_name="Haddad"
    )
    open_test_ticket(
        queue, chatting, channel="whatsapp", external_id="wamid.known", received_at=at - timedelta(days=1)
    )
    for raw in (
        _mail(1, "Mario Rossi <mario.rossi@example.org>"),
        _mail(2, "Mario Rossi <mario.rossi@example.org>", subject="Ancora io"),  # the same new sender again
        _mail(3, "anna.bianchi@example.org"),  # no name yet...
        _mail(4, "Anna Bianchi <ANNA.BIANCHI@example.org>"),  # ...which her second message gives
        _mail(5, "Giulia Verdi <giulia.verdi@example.org>"),  # a known citizen
        _mail(6, "Luca Neri <luca@example.org>", subject="Re: documenti", In_Reply_To="<known-1@example.org>"),
        _mail(7, "Ufficio <noreply@example.org>", subject="Fuori sede", Auto_Submitted="auto-replied"),
        _mail(8, "Sara Blu <sara@example.org>", subject="Re: domanda", In_Reply_To="<mix-1@example.org>"),
        _mail(9, "Rosa Gialli <rosa@example.org>", subject=f"Re: {resolved.reference}"),  # a resolved one reopens
        _mail(10, "Luca Neri <luca@example.org>", subject="Re: vecchia", In_Reply_To="<merged-1@example.org>"),
        _mail(11, "Luca Neri <luca@example.org>", subject="Re: documenti (2)", In_Reply_To="<known-1@example.org>"),
    ):
        store_email(raw, enqueue=False)
    for text, wamid, wa_id in (
        ("Buongiorno", "wamid.new-1", "393331112222"),
        ("Sono ancora io", "wamid.new-2", "393331112222"),  # the same new number twice: one conversation
        ("Avete novità?", "wamid.known-2", "393330000001"),  # a known number with an open ticket
        ("Salve", "wamid.twice", "393334445555"),
        ("Ecco il documento", "wamid.w1", "393330000002"),  # the request waited for it, in an operator's hands
        ("Ciao", "wamid.q1", "393330000003"),  # a known number with no open request, twice
        ("Ci siete?", "wamid.q2", "393330000003"),
    ):
        pipeline.store_inbound(channel="whatsapp", raw=text_payload(text, wamid=wamid, wa_id=wa_id, name="Amina Diallo", ts=at),
                               external_id=wamid, enqueue=False)  # fmt: skip
    # WhatsApp delivers the same message again in another body (a retry with its own envelope).
    retry = text_payload("Salve", wamid="wamid.twice", wa_id="393334445555", name="Amina Diallo", ts=at)
    pipeline.store_inbound(channel="whatsapp", raw=retry.replace(b'"WABA"', b'"WABA2"'), external_id="retry",
                           enqueue=False)  # fmt: skip


def _what_the_desk_sees() -> dict:
    import json
    import re

    from tickets.models import Citizen

    def who(citizen):
        return (citizen.email.lower(), citizen.whatsapp_id, str(citizen.phone or ""), citizen.first_name,
                citizen.last_name, citizen.preferred_language, citizen.consent_channel, citizen.kind)  # fmt: skip

    def timeline(ticket):
        events = []
        for event in ticket.events.all():
            data = {k: v for k, v in event.data.items() if k != "message_id"}
            events.append(
                (event.kind, event.from_status, event.to_status, event.public, json.dumps(data, sort_keys=True))
            )
        return tuple(sorted(events))

    tickets = sorted(
        (
            who(t.citizen), t.channel, t.subject, t.status, t.language, t.queue_id, t.tier, t.created_at,
            t.first_response_due_at, t.resolution_due_at, t.due_at, t.last_citizen_message_at,
            tuple(sorted((m.channel, m.sender, re.sub(r"IST-\d{4}-\d+", "IST-…", m.subject), m.text, m.external_id, m.created_at)
                         for m in t.messages.filter(direction=Message.Direction.INBOUND))),
            t.messages.filter(direction=Message.Direction.OUTBOUND).count(),
            timeline(t),
        )
        for t in Ticket.objects.select_related("citizen")
    )  # fmt: skip
    inputs = sorted(
        (i.external_id, i.state, i.error, i.ticket.subject if i.ticket_id else None)
        for i in InboundMessage.objects.select_related("ticket")
    )
    return {"citizens": sorted(who(c) for c in Citizen.objects.all()), "tickets": tickets, "inputs": inputs}


def _written(desk, ingest) -> dict:
    from django.db import transaction

    savepoint = transaction.savepoint()
    try:
        _campaign(desk)
        ingest()
        return _what_the_desk_sees()
    finally:
        transaction.savepoint_rollback(savepoint)


def _statements_of_a_small_and_a_big_batch(store) -> tuple[int, int]:
    """Statements ingest_pending takes for a batch of 5 inputs, then for one of 40; store(i) stores input i."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements = []
    for inputs in (range(5), range(5, 45)):
        for i in inputs:
            store(i)
        with CaptureQueriesContext(connection) as queries:
            assert ingest_pending(50) == len(inputs)
        statements.append(len(queries))
    return statements[0], statements[1]


def test_a_batch_of_new_requests_costs_the_same_statements_whatever_its_size(desk):
    def store(i: int) -> None:
        store_email(_mail(100 + i, f"Persona {i} <persona{i}@example.org>"), enqueue=False)

    small, big = _statements_of_a_small_and_a_big_batch(store)
    # One by one, each request took ~10 statements; together, a batch takes one per table.
    assert big <= small + 2, (small, big)
    assert Ticket.objects.count() == 45 and len(mail.outbox) == 45
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 45


def test_a_batch_of_messages_on_known_requests_costs_the_same_statements_whatever_its_size(desk):
    from ..factories import CitizenFactory, open_test_ticket
    from .test_whatsapp import text_payload

    numbers = [f"3933355{i:05d}" for i in range(45)]
    for number in numbers:  # people in a WhatsApp conversation with the office
        citizen = CitizenFactory(email="", whatsapp_id=number, phone=f"+{number}", first_name="A", last_name="B")
        open_test_ticket(desk, citizen, channel="whatsapp", external_id=f"wamid.open-{number}")

    def store(i: int) -> None:
        raw = text_payload("Ecco la foto del passaporto", wamid=f"wamid.more-{i}", wa_id=numbers[i], name="A B")
        pipeline.store_inbound(channel="whatsapp", raw=raw, external_id=f"more-{i}", enqueue=False)

    small, big = _statements_of_a_small_and_a_big_batch(store)
    assert big <= small + 2, (small, big)
    assert Ticket.objects.count() == 45  # every message went to its sender's open request
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 90


def test_a_batch_writes_what_one_by_one_writes(desk, graph, django_capture_on_commit_callbacks, caplog):
    def one_by_one():
        with django_capture_on_commit_callbacks(execute=True):  # the acknowledgements leave after each commit
            for inbound in InboundMessage.objects.order_by("received_at", "pk"):
                pipeline.ingest_inbound(inbound.pk, send_here=True)

    alone = _written(desk, one_by_one)
    batched = _written(desk, lambda: ingest_pending(50))
    assert batched == alone
    assert "written one by one" not in caplog.text  # the batch went together, not through its fallback
    # And what that is: the campaign's morning as the desk must see it.
    tickets = {(t[0][0] or t[0][1], t[2]): t for t in batched["tickets"]}
    assert len([c for c in batched["citizens"] if c[0] == "mario.rossi@example.org"]) == 1
    assert ("anna.bianchi@example.org", "", "", "Anna", "Bianchi", "it", "email", "other") in batched["citizens"]
    assert len(tickets[("mario.rossi@example.org", "Permesso di soggiorno")][12]) == 2  # Sara answered Mario
    conversation = [t for t in batched["tickets"] if t[0][1] == "393331112222"]
    assert len(conversation) == 1 and len(conversation[0][12]) == 2
    assert len([t for t in batched["tickets"] if t[0][1] == "393330000001"][0][12]) == 2
    assert [len(t[12]) for t in batched["tickets"] if t[0][1] == "393334445555"] == [1]  # the repeat is one message
    assert ("mix-7@example.org", "ignored", "auto-submitted: auto-replied", None) in batched["inputs"]
    by_who = {}
    for t in batched["tickets"]:
        by_who.setdefault(t[0][0] or t[0][1], []).append(t)
    [rosa] = by_who["rosa@example.org"]
    assert rosa[3] == "reopened" and ("reopened", "resolved", "reopened", True, "{}") in rosa[14]
    [omar] = by_who["393330000002"]
    assert omar[3] == "open" and len(omar[12]) == 2  # back in the operator's hands
    [lina] = by_who["393330000003"]
    assert [m[3] for m in lina[12]] == ["Ci siete?", "Ciao"]  # one request, both messages
    luca = {len(t[12]) for t in by_who["luca@example.org"]}
    assert luca == {1, 4}  # the merged request's reply went to the one it was merged into
    opened = [t for t in batched["tickets"] if t[1] != "whatsapp" or t[0][1] != "393330000001"]
    assert all(t[13] == 1 for t in opened if t[7].year == 2026 and t[2] != "Rinnovo permesso di soggiorno")
