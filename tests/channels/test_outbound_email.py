"""Replies and acknowledgements leave through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from pathlib import Path

import pytest

from channels_app.adapters.email import store_email
from channels_app.notifications import notify_status_change, send_acknowledgement
from channels_app.pipeline import ingest_inbound
from tickets import services
from tickets.models import Message, Ticket, TicketEvent

from ..factories import CitizenFactory, open_test_ticket
from ..fakes.graph import graph  # noqa: F401 - fixture

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("eager_tasks"),
]

CITIZEN_MAIL = (
    b"From: Amina Diallo <amina.diallo@example.org>\r\n"
    b"To: urp@comune.example.it\r\n"
    b"Subject: Rinnovo carta di identita\r\n"
    b"Message-ID: <first-1@example.org>\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Buongiorno, quali documenti servono?\r\n"
)


def receive(raw: bytes):
    inbound, _created = store_email(raw, enqueue=False)
    return ingest_inbound(inbound.pk)


def only_outbound(ticket: Ticket) -> list[Message]:
    return list(ticket.messages.filter(direction=Message.Direction.OUTBOUND).order_by("pk"))


def test_new_request_gets_an_acknowledgement_with_reference_date_and_tracking_link(smtp_sink, front_queue, settings):
    settings.SPORTELLO_PUBLIC_URL = "https://sportello.comune.example.it"
    ticket = receive(CITIZEN_MAIL).created[0]

    [sent] = smtp_sink.wait_for(1)
    assert sent["To"] == "amina.diallo@example.org"
    assert ticket.reference in sent["Subject"]
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<first-1@example.org>"
    body = sent.get_body(("plain",)).get_content()
    assert ticket.reference in body
    assert "https://sportello.comune.example.it/it/" in body and ticket.access_token in body
    assert str(ticket.first_response_due_at.astimezone().year) in body
    [ack] = only_outbound(ticket)
    assert ack.delivery_status == Message.Delivery.SENT
    assert f"<{ack.external_id}>" == sent["Message-ID"]  # our Message-ID, kept for threading


def test_a_batch_acknowledges_its_requests_in_one_smtp_session(smtp_sink, front_queue):
    from channels_app.pipeline import ingest_pending

    for i in range(5):
        raw = CITIZEN_MAIL.replace(b"first-1@", f"batch-{i}@".encode()).replace(b"amina.diallo@", f"a{i}@".encode())
        store_email(raw, enqueue=False)
    assert ingest_pending(10) == 5
    sent = smtp_sink.wait_for(5)
    assert sorted(m["To"] for m in sent) == [f"a{i}@example.org" for i in range(5)]
    assert len(smtp_sink.sessions) == 1  # not a connection (and in production a TLS handshake) each
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND, delivery_status="sent").count() == 5


def test_acknowledgement_uses_the_citizens_language_and_is_sent_once(smtp_sink, front_queue):
    citizen = CitizenFactory(email="jean@example.fr", preferred_language="fr")
    ticket = open_test_ticket(front_queue, citizen)
    send_acknowledgement(ticket.pk)
    send_acknowledgement(ticket.pk)  # a redelivered task
    [sent] = smtp_sink.wait_for(1)
    assert "/fr/" in sent.get_body(("plain",)).get_content()
    assert len(only_outbound(ticket)) == 1


def test_auto_replies_and_bounces_get_no_acknowledgement(smtp_sink, front_queue):
    for name in ("sisimai-rfc3834-01.eml", "flanker-bounce-mailbox-full.eml"):
        outcome = receive((CORPUS / "email" / name).read_bytes())
        assert outcome.ignored
    assert Ticket.objects.count() == 0
    assert smtp_sink.wait_for(1, timeout=0.5) == []


def test_operator_reply_threads_on_the_citizens_mail_and_the_citizens_answer_threads_back(
    smtp_sink, front_queue, front_operator
):
    ticket = receive(CITIZEN_MAIL).created[0]
    smtp_sink.wait_for(1)
    smtp_sink.clear()
    attachment = services.NewAttachment("modulo.pdf", "application/pdf", b"%PDF-1.4 modulo")

    reply = services.reply_to_ticket(
        actor=front_operator, ticket_id=ticket.pk, text="Servono due foto e il vecchio documento.",
        attachments=[attachment],
    )  # fmt: skip

    [sent] = smtp_sink.wait_for(1)
    assert sent["Subject"] == f"[{ticket.reference}] Rinnovo carta di identita"
    assert sent["In-Reply-To"] == "<first-1@example.org>"
    assert "<first-1@example.org>" in sent["References"]
    assert sent["Auto-Submitted"] is None  # a person wrote it
    assert "Servono due foto" in sent.get_body(("plain",)).get_content()
    [part] = list(sent.iter_attachments())
    assert (part.get_filename(), part.get_content()) == ("modulo.pdf", b"%PDF-1.4 modulo")
    reply.refresh_from_db()
    assert reply.delivery_status == Message.Delivery.SENT
    assert sent["Message-ID"] == f"<{reply.external_id}>"

    answer = (
        b"From: Amina Diallo <amina.diallo@example.org>\r\nSubject: Re: documenti\r\n"
        b"Message-ID: <second-2@example.org>\r\nIn-Reply-To: " + sent["Message-ID"].encode() + b"\r\n\r\nGrazie!\r\n"
    )
    outcome = receive(answer)
    assert [t.pk for t in outcome.threaded] == [ticket.pk]


def test_a_voicemail_ticket_is_answered_by_email_when_the_citizen_has_one(smtp_sink, front_queue, front_operator):
    citizen = CitizenFactory(email="caller@example.org", phone="+390612345678")
    ticket = open_test_ticket(front_queue, citizen, channel="voicemail", text="(voicemail)")
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="La richiamiamo domani.")
    [sent] = smtp_sink.wait_for(1)
    assert sent["To"] == "caller@example.org"
    reply.refresh_from_db()
    assert (reply.channel, reply.delivery_status) == ("email", Message.Delivery.SENT)


def test_a_citizen_nobody_can_write_to_is_a_visible_failure(smtp_sink, front_queue, front_operator):
    citizen = CitizenFactory(email="", phone="+390612345678", whatsapp_id="")
    ticket = open_test_ticket(front_queue, citizen, channel="phone", text="(call)")
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="La richiamiamo domani.")
    reply.refresh_from_db()
    assert reply.delivery_status == Message.Delivery.FAILED
    assert "reach the citizen" in reply.delivery_error
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.DELIVERY_FAILED).exists()
    assert smtp_sink.messages == []


def test_smtp_temporarily_refusing_is_retried_then_marked_failed(smtp_sink, front_queue, front_operator):
    ticket = open_test_ticket(front_queue, CitizenFactory(email="amina@example.org"))
    smtp_sink.refuse = "451 4.3.0 Try again later"
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Risposta")
    reply.refresh_from_db()
    # Eagerly, the retries run at once; with a broker they wait 30 s, 1 min, 2 min...
    assert smtp_sink.attempts == 7
    assert reply.delivery_status == Message.Delivery.FAILED
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.DELIVERY_FAILED).count() == 1


def test_smtp_refusing_the_address_is_not_retried(smtp_sink, front_queue, front_operator):
    ticket = open_test_ticket(front_queue, CitizenFactory(email="gone@example.org"))
    smtp_sink.refuse = "550 5.1.1 No such user"
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Risposta")
    reply.refresh_from_db()
    assert smtp_sink.attempts == 1
    assert reply.delivery_status == Message.Delivery.FAILED
    assert "550" in reply.delivery_error


def test_smtp_server_down_fails_visibly_after_the_retries(smtp_sink, front_queue, front_operator):
    ticket = open_test_ticket(front_queue, CitizenFactory(email="amina@example.org"))
    smtp_sink.stop()
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Risposta")
    reply.refresh_from_db()
    assert reply.delivery_status == Message.Delivery.FAILED
    assert "unreachable" in reply.delivery_error


def test_status_notifications_are_sent_marked_auto_generated(smtp_sink, front_queue):
    ticket = open_test_ticket(front_queue, CitizenFactory(email="amina@example.org"))
    notify_status_change(ticket.pk, "resolved")
    [sent] = smtp_sink.wait_for(1)
    assert sent["Auto-Submitted"] == "auto-generated"
    assert ticket.reference in sent["Subject"]


def test_a_citizen_with_only_whatsapp_is_answered_on_whatsapp(graph, front_queue, front_operator):  # noqa: F811
    citizen = CitizenFactory(email="", phone="+393331234567", whatsapp_id="393331234567")
    ticket = open_test_ticket(front_queue, citizen, channel="voicemail", text="(voicemail)")
    reply = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="La richiamiamo domani.")
    reply.refresh_from_db()
    assert (reply.channel, reply.delivery_status) == ("whatsapp", Message.Delivery.SENT)
    assert reply.external_id.startswith("wamid")
    [sent] = graph.sent_messages()
    assert sent["to"] == "393331234567"
