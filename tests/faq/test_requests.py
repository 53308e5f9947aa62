import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from faq.models import Appointment, FaqDeflection, FaqEntry
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db


def portal(name, language="it", *args):
    with translation.override(language):
        return reverse(name, args=args)


def form_data(**overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Diallo",
        "email": "amina@example.org",
        "phone": "",
        "language": "fr",
        "topic": "permessi-di-soggiorno",
        "subject": "Renouvellement titre de séjour",
        "text": "Mon titre expire le mois prochain. Que dois-je apporter ?",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def portal_ready(seeded_faq, front_queue, back_queue):
    """Seeded FAQ plus the queues a new web request lands in."""


def test_request_creates_a_ticket_through_the_web_channel(client, portal_ready):
    response = client.post(portal("portal:request_new", "fr"), form_data())
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.language, ticket.citizen.email) == (Channel.WEB, "fr", "amina@example.org")
    thanks = client.get(response.headers["Location"])
    assert ticket.reference in thanks.text
    assert f'data-copy="{ticket.reference}"' in thanks.text
    assert portal("portal:status_token", "fr", ticket.access_token) in thanks.text


def test_request_needs_consent_and_a_contact(client, portal_ready):
    response = client.post(portal("portal:request_new", "en"), form_data(consent="", email=""))
    assert response.status_code == 422
    assert "Please confirm you have read the privacy notice." in response.text
    assert "Give an email address or a phone number" in response.text
    assert not Ticket.objects.exists()


def test_honeypot_registers_nothing(client, portal_ready):
    response = client.post(portal("portal:request_new", "it"), form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Ticket.objects.exists()


def test_requests_are_rate_limited_per_address(client, portal_ready):
    for index in range(10):
        client.post(portal("portal:request_new", "it"), form_data(subject=f"Domanda {index}"))
    response = client.post(portal("portal:request_new", "it"), form_data(subject="Ancora"))
    assert response.status_code == 429
    assert Ticket.objects.count() == 10


def test_attachment_type_is_checked_on_the_bytes(client, portal_ready):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 300, "image/jpeg")
    response = client.post(portal("portal:request_new", "en"), {**form_data(), "attachments": [fake]})
    assert response.status_code == 422
    assert "photo.jpg" in response.text
    assert not Ticket.objects.exists()


def test_attachment_size_is_limited(client, portal_ready, settings):
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # the one limit, whatever its value
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "application/pdf")
    response = client.post(portal("portal:request_new", "en"), {**form_data(), "attachments": [big]})
    assert response.status_code == 422
    assert "larger than 10.0 MB" in response.text


def test_subject_suggests_faq_entries_and_counts_deflection(client, portal_ready):
    response = client.get(portal("portal:request_suggestions", "en"), {"subject": "renewing residence permits"})
    assert response.status_code == 200
    assert "When should I apply to renew my residence permit?" in response.text
    entry = FaqEntry.objects.get(slug="quando-rinnovare-permesso")
    helped = client.post(
        portal("portal:request_deflected", "en", entry.pk),
        {"subject": "renewing residence permits"},
        headers={"HX-Request": "true"},
    )
    assert helped.status_code == 200
    assert "You do not need to send a request" in helped.text
    deflection = FaqDeflection.objects.get()
    assert (deflection.entry, deflection.language) == (entry, "en")


def test_request_form_wires_the_suggestions(client, portal_ready):
    page = client.get(portal("portal:request_new", "es"))
    assert 'hx-trigger="keyup changed delay:300ms"' in page.text
    assert portal("portal:request_suggestions", "es") in page.text
    assert portal("portal:privacy", "es") in page.text


def test_appointment_requested_with_the_request(client, portal_ready):
    response = client.post(
        portal("portal:request_new", "it"),
        form_data(want_appointment="on", procedure="rinnovo-permesso-lavoro-subordinato", preferred_dates="mattina"),
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.REQUESTED
    assert appointment.procedure.slug == "rinnovo-permesso-lavoro-subordinato"
    status = client.get(portal("portal:status_token", "it", appointment.ticket.access_token))
    with translation.override("it"):
        assert translation.gettext("Appointment requested") in status.text
