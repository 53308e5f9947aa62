"""Phone work and paper: log a call in two clicks, the caller pop-up, fax and letters with the scan."""

import pytest
from django.urls import reverse

from tests.desk.helpers import desk_login
from tests.factories import CitizenFactory, open_test_ticket
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_lookup_by_number_shows_citizen_and_open_tickets(client, front_operator, front_queue):
    citizen = CitizenFactory(first_name="Lucía", last_name="Moreno", phone="+393471234567")
    ticket = open_test_ticket(front_queue, citizen)
    desk_login(client, front_operator)
    response = client.get(reverse("desk:log_call"), {"number": "347 123 4567"}, headers=HX)
    assert "Lucía Moreno" in response.text
    assert f'data-add-to="{ticket.reference}"' in response.text


def test_second_click_adds_the_call_to_the_open_ticket(client, front_operator, front_queue):
    citizen = CitizenFactory(phone="+393471234567")
    ticket = open_test_ticket(front_queue, citizen)
    desk_login(client, front_operator)
    response = client.post(
        reverse("desk:log_call_add", args=[ticket.pk]),
        {"number": "+393471234567", "text": "Chiede a che punto è la pratica"},
        headers=HX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("desk:ticket", args=[ticket.pk])
    message = Message.objects.get(ticket=ticket, channel="phone")
    assert (message.direction, message.text, message.sender) == (
        "in",
        "Chiede a che punto è la pratica",
        "+393471234567",
    )


def test_unknown_caller_gets_a_new_phone_ticket(client, front_operator, front_queue):
    desk_login(client, front_operator)
    response = client.get(reverse("desk:log_call"), {"number": "+39 06 1234 5678"}, headers=HX)
    assert "No citizen has the number +390612345678" in response.text
    response = client.post(
        reverse("desk:log_call_new"),
        {"number": "+390612345678", "first_name": "Omar", "last_name": "Haddad", "subject": "Ricongiungimento"},
    )
    ticket = Ticket.objects.get()
    assert response.url == reverse("desk:ticket", args=[ticket.pk])
    assert (ticket.channel, ticket.queue, str(ticket.citizen.phone)) == ("phone", front_queue, "+390612345678")
    assert ticket.citizen.display_name == "Omar Haddad"
    assert ticket.messages.get().text == "Phone call from +390612345678."


def test_known_caller_new_ticket_reuses_the_citizen(client, front_operator, front_queue):
    citizen = CitizenFactory(phone="+393471234567")
    desk_login(client, front_operator)
    client.post(reverse("desk:log_call_new"), {"number": "+393471234567", "citizen": citizen.pk, "text": "Nuova"})
    assert Ticket.objects.get().citizen == citizen


def test_register_fax_with_scan(client, front_operator, front_queue):
    desk_login(client, front_operator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("desk:register_mail"),
        {
            "channel": "fax",
            "subject": "Richiesta di cittadinanza",
            "first_name": "Ana",
            "last_name": "Pereira",
            "language": "es",
            "scan": SimpleUploadedFile("fax.pdf", PDF, content_type="application/pdf"),
        },
    )
    ticket = Ticket.objects.get()
    assert response.url == reverse("desk:ticket", args=[ticket.pk])
    assert (ticket.channel, ticket.language) == ("fax", "es")
    attachment = ticket.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("fax.pdf", "application/pdf")
    download = client.get(reverse("desk:attachment", args=[attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_register_refuses_a_disguised_scan(client, front_operator, front_queue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    desk_login(client, front_operator)
    response = client.post(
        reverse("desk:register_mail"),
        {
            "channel": "paper",
            "subject": "Lettera",
            "language": "it",
            "scan": SimpleUploadedFile("lettera.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "must be a PDF, TIFF, PNG or JPEG" in response.text
    assert not Ticket.objects.exists()


def test_ringing_poll_is_quiet_when_nothing_changes(client, front_operator):
    desk_login(client, front_operator)
    response = client.get(reverse("desk:ringing"), {"shown": ""}, headers=HX)
    assert response.status_code == 204
