import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tickets import services
from tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db


def status_url(language="it", token=None):
    with translation.override(language):
        if token:
            return reverse("portal:status_token", args=[token])
        return reverse("portal:status")


def lookup(client, reference, contact, language="it", ip="203.0.113.7"):
    return client.post(status_url(language), {"reference": reference, "contact": contact}, REMOTE_ADDR=ip)


def _body(response) -> str:
    # The CSRF token differs between answers; everything else must be identical.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)


def test_reference_and_email_open_the_status(client, ticket):
    response = lookup(client, ticket.reference.lower(), "YOUSSEF@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == status_url("it", ticket.access_token)


def test_reference_and_phone_open_the_status(client, ticket):
    ticket.citizen.phone = "+393331234567"
    ticket.citizen.save()
    assert lookup(client, ticket.reference, "333 123 4567").status_code == 302


def test_wrong_pair_and_unknown_reference_get_the_same_answer(client, ticket):
    wrong_pair = lookup(client, ticket.reference, "someone@example.org", ip="203.0.113.1")
    unknown = lookup(client, "IST-2026-9999999", "someone@example.org", ip="203.0.113.2")
    assert wrong_pair.status_code == unknown.status_code == 404
    assert _body(wrong_pair).replace(ticket.reference, "X") == _body(unknown).replace("IST-2026-9999999", "X")
    with translation.override("it"):  # the lookup page is the Italian one
        expected = translation.gettext(
            "We could not find a request with these details. Check the reference and the email "
            "or phone number you used, or follow the link in the acknowledgement."
        )
    assert expected.split(".")[0] in wrong_pair.text


def test_sixth_wrong_try_in_a_minute_is_refused(client, ticket):
    for attempt in range(5):
        assert lookup(client, f"IST-2026-000000{attempt}", "x@example.org").status_code == 404
    refused = lookup(client, ticket.reference, "youssef@example.org")
    assert refused.status_code == 429
    with translation.override("it"):
        assert translation.gettext("Too many attempts. Wait a minute before trying again.") in refused.text
    # Another address is not blocked by the first one's guesses (the reference was not guessed).
    assert lookup(client, ticket.reference, "youssef@example.org", ip="198.51.100.9").status_code == 302


def test_wrong_tries_on_one_reference_are_limited_across_addresses(client, ticket):
    for attempt in range(5):
        lookup(client, ticket.reference, "x@example.org", ip=f"198.51.100.{attempt}")
    # Limited by the browser check (tests/faq/test_status_lookup_abuse.py), not refused: the
    # rightful citizen must still get in, so the pair is looked up only once the check is passed.
    asked = lookup(client, ticket.reference, "youssef@example.org", ip="198.51.100.200")
    assert asked.status_code == 200
    assert "Location" not in asked.headers
    assert 'name="check_challenge"' in asked.text


def test_status_page_shows_the_public_timeline_only(client, ticket, front_operator):
    services.add_note(actor=front_operator, ticket_id=ticket.pk, text="Internal: check the file in SDI")
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Bring your passport.")
    response = client.get(status_url("en", ticket.access_token))
    assert response.status_code == 200
    assert ticket.reference in response.text
    assert "Quali documenti servono?" in response.text  # the citizen's message
    assert "Bring your passport." in response.text
    assert "Internal: check the file" not in response.text
    assert "Anna" not in response.text and "Rossi" not in response.text  # no operator names
    assert "Front office" in response.text
    assert "noindex" in response.text


def test_operator_name_is_shown_only_when_configured(client, ticket, front_operator, settings):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    assert "Anna Rossi" not in client.get(status_url("it", ticket.access_token)).text
    settings.SPORTELLO_PORTAL_SHOW_OPERATOR_NAMES = True
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Ok")  # a new version of the page
    assert "Anna Rossi" in client.get(status_url("it", ticket.access_token)).text


def test_unknown_token_is_not_found(client, db):
    assert client.get(status_url("it", "x" * 32)).status_code == 404


def test_citizen_message_reopens_a_resolved_request(client, ticket, front_operator):
    services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    with translation.override("it"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    response = client.post(message_url, {"text": "Ho ancora una domanda."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    message = ticket.messages.filter(direction=Message.Direction.INBOUND).last()
    assert (message.text, message.channel) == ("Ho ancora una domanda.", "web")
    assert "Ho ancora una domanda." in client.get(status_url("it", ticket.access_token)).text


def test_citizen_can_add_a_document(client, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with translation.override("it"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    pdf = SimpleUploadedFile("ricevuta.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    assert client.post(message_url, {"text": "", "attachments": [pdf]}).status_code == 302
    assert ticket.attachments.get().filename == "ricevuta.pdf"


def test_a_disguised_program_is_refused(client, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with translation.override("en"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    exe = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client.post(message_url, {"text": "here", "attachments": [exe]})
    assert response.status_code == 422
    assert "passport.pdf" in response.text
    assert not ticket.attachments.exists()


@pytest.mark.parametrize("events", [1, 15])
def test_status_page_query_count_does_not_grow(client, ticket, front_operator, events, django_assert_max_num_queries):
    for index in range(events):
        services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text=f"Answer {index}")
    with django_assert_max_num_queries(6):  # version, ticket, messages, attachments, events, appointments
        client.get(status_url("it", ticket.access_token))
    with django_assert_max_num_queries(1):  # the same version again: served from the cache
        client.get(status_url("it", ticket.access_token))


def test_cached_status_page_follows_changes_and_keeps_forms_working(ticket, front_operator):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    first = browser.get(status_url("en", ticket.access_token))
    assert "Bring your passport." not in first.text
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Bring your passport.")
    second = browser.get(status_url("en", ticket.access_token))
    assert "Bring your passport." in second.text
    third = browser.get(status_url("en", ticket.access_token))  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', third.text).group(1)
    with translation.override("en"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    posted = browser.post(message_url, {"text": "Thank you!", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302
    assert "Thank you!" in browser.get(status_url("en", ticket.access_token)).text


def test_cached_status_page_never_carries_another_visitor_query(client, ticket):
    poisoned = client.get(status_url("it", ticket.access_token) + "?q=call+0900+now")
    assert "call 0900 now" in poisoned.text  # the header search box repeats it, escaped
    clean = client.get(status_url("it", ticket.access_token))
    assert "call 0900 now" not in clean.text


def test_lookup_by_reference_is_one_query(client, ticket, django_assert_num_queries):
    with django_assert_num_queries(1):  # the ticket and its citizen's contacts; no session, no user
        assert lookup(client, ticket.reference, "youssef@example.org").status_code == 302
    with django_assert_num_queries(1):  # a wrong pair too: the view answers it with the fast path's lookup
        assert lookup(client, ticket.reference, "someone@example.org").status_code == 404


def test_first_view_of_a_plain_status_page_is_four_queries(client, ticket, front_operator, django_assert_num_queries):
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Bring your passport.")
    with django_assert_num_queries(4):  # version, ticket, messages, events: no attachment nor appointment
        response = client.get(status_url("en", ticket.access_token))
    assert "Bring your passport." in response.text


def test_status_page_lists_attachments_and_appointments(client, ticket, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from faq.models import Appointment

    with translation.override("it"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    pdf = SimpleUploadedFile("ricevuta.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    assert client.post(message_url, {"text": "La ricevuta", "attachments": [pdf]}).status_code == 302
    Appointment.objects.create(ticket=ticket, office=office, preferred_dates="lunedì mattina")
    Appointment.objects.create(ticket=ticket, office=office, status=Appointment.Status.CANCELLED)
    ticket.refresh_from_db()
    Ticket.objects.filter(pk=ticket.pk).update(version=ticket.version + 1)  # a new page version
    page = client.get(status_url("it", ticket.access_token)).text
    assert "ricevuta.pdf" in page
    assert page.count("portal-appointment") == 1  # the cancelled one is not listed


def test_cached_status_page_shows_a_new_public_message_and_never_a_note(client, ticket, front_operator):
    url = status_url("en", ticket.access_token)
    assert "Bring your passport." not in client.get(url).text  # now cached
    services.add_note(actor=front_operator, ticket_id=ticket.pk, text="Internal: passport looks forged")
    assert "Internal: passport" not in client.get(url).text
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Bring your passport.")
    page = client.get(url).text  # right after the reply, not after the cache expires
    assert "Bring your passport." in page
    assert "Internal: passport" not in page
    assert "Bring your passport." in client.get(url).text  # and from the cache


@pytest.mark.parametrize("language", ["it", "en", "fr", "es"])
def test_lookup_redirects_to_the_status_page_in_the_same_language(client, ticket, language):
    response = lookup(client, ticket.reference, "youssef@example.org", language=language)
    assert response.headers["Location"] == status_url(language, ticket.access_token)
    assert response.headers["Location"].startswith(f"/{language}/status/")


def test_status_page_names_the_status_and_the_events_in_the_page_language(client, ticket, front_operator):
    from tickets.models import TicketEvent

    services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    kinds = set(TicketEvent.objects.filter(ticket=ticket, public=True).values_list("kind", flat=True))
    for language in ("en", "it"):
        page = client.get(status_url(language, ticket.access_token)).text
        with translation.override(language):
            assert f'id="ticket-status">{Status.RESOLVED.label}</strong>' in page
            for kind in kinds - {TicketEvent.Kind.MESSAGE_RECEIVED, TicketEvent.Kind.REPLIED}:
                assert str(TicketEvent.Kind(kind).label) in page


def test_anonymous_visitors_get_no_session(client, ticket, settings):
    pages = [
        client.get(status_url("it", ticket.access_token)),
        client.get(status_url("it", ticket.access_token)),  # from the cache
        lookup(client, ticket.reference, "youssef@example.org"),
        lookup(client, ticket.reference, "wrong@example.org"),
        client.get(status_url("en")),
    ]
    for response in pages:
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_replayed_status_page_keeps_the_security_headers_and_a_working_csrf_cookie(client, ticket):
    from django.test import Client

    url = status_url("fr", ticket.access_token)
    rendered = client.get(url)
    newcomer = Client(enforce_csrf_checks=True)  # no cookie yet: the replay must give one
    replayed = newcomer.get(url)
    assert _body(replayed) == _body(rendered)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Language"):
        assert replayed[header] == rendered[header]
    assert "csrftoken" in replayed.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', replayed.text).group(1)
    with translation.override("fr"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    assert newcomer.post(message_url, {"text": "Merci", "csrfmiddlewaretoken": token}).status_code == 302


def test_the_notice_after_adding_a_message_is_shown_once(client, ticket):
    url = status_url("it", ticket.access_token)
    client.get(url)  # cached
    with translation.override("it"):
        message_url = reverse("portal:status_message", args=[ticket.access_token])
    shown = client.post(message_url, {"text": "Ecco il documento"}, follow=True)
    notice = "Your message has been added to the request."
    with translation.override("it"):
        from django.utils.translation import gettext

        notice = gettext(notice)
    assert notice in shown.text
    assert "Ecco il documento" in shown.text
    again = client.get(url)
    assert notice not in again.text
    assert "Ecco il documento" in again.text


def test_replayed_pages_mask_the_csrf_secret_differently_each_time(ticket):
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    url = status_url("es", ticket.access_token)
    browser.get(url)
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(url).text).group(1) for _ in "ab"]
    assert tokens[0] != tokens[1]  # BREACH: the secret never shows twice the same way
    secret = browser.cookies["csrftoken"].value
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}


def test_a_right_lookup_still_needs_the_csrf_token_and_an_allowed_host(ticket):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(status_url("en"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    pair = {"reference": ticket.reference, "contact": "youssef@example.org"}
    assert browser.post(status_url("en"), pair).status_code == 403
    assert (
        browser.post(status_url("en"), {**pair, "csrfmiddlewaretoken": token}, HTTP_HOST="evil.example").status_code
        == 400
    )
    found = browser.post(status_url("en"), {**pair, "csrfmiddlewaretoken": token})
    assert found.status_code == 302
    assert found["Location"] == status_url("en", ticket.access_token)


# ----------------------------------------------------------------------------- what a voicemail's page shows

VOICEMAIL_CORPUS = Path("/work/shared/corpus/voicemail")
CALLER = "612345678"  # +39 06 1234 5678, in any of its spellings
INTERNAL_RECORDING = "http://pbx.internal.example/recordings/RE7f00d"


def _twilio_voicemail():
    """A Twilio recording whose URL is not Twilio's: the note of why it was not fetched names it."""
    from urllib.parse import urlencode

    from channels_app.pipeline import ingest_inbound, store_inbound

    body = urlencode(
        {
            "AccountSid": "AC1",
            "CallSid": "CA7f00d",
            "RecordingSid": "RE7f00d",
            "RecordingUrl": INTERNAL_RECORDING,
            "RecordingDuration": "12",
            "From": "+390612345678",
        }
    ).encode()
    metadata = {"source": "twilio", "received_at": timezone.now().isoformat()}
    inbound, _created = store_inbound(
        channel="voicemail", raw=body, external_id="RE7f00d", source="twilio-webhook", metadata=metadata, enqueue=False
    )
    return ingest_inbound(inbound.pk).created[0]


def _asterisk_voicemail():
    from channels_app.adapters.email import store_email
    from channels_app.pipeline import ingest_inbound

    raw = (VOICEMAIL_CORPUS / "asterisk-vm-default-template-wav.eml").read_bytes()
    inbound, _created = store_email(raw, channel="voicemail", enqueue=False)
    return ingest_inbound(inbound.pk).created[0]


@pytest.mark.skipif(not VOICEMAIL_CORPUS.exists(), reason="the shared corpus is not here")
@pytest.mark.parametrize("source", ["twilio", "asterisk"])
def test_a_voicemail_status_page_shows_neither_the_caller_number_nor_the_pbx_text(
    client, front_queue, front_operator, source
):
    ticket = _twilio_voicemail() if source == "twilio" else _asterisk_voicemail()
    message = ticket.messages.get()
    # What the desk sees, and the status page used to show: the PBX's words, the number, the URL.
    assert CALLER in ticket.subject
    assert (CALLER in message.text and INTERNAL_RECORDING in message.text) or "mailbox 1234" in message.text
    services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="La richiameremo domattina.")

    page = client.get(status_url("it", ticket.access_token))

    assert page.status_code == 200
    for internal in (CALLER, INTERNAL_RECORDING, "pbx.internal", "mailbox", "Mario Rossi", "Asterisk", "RE7f00d"):
        assert internal not in page.text, internal
    assert "La richiameremo domattina." in page.text  # what the office wrote to the citizen
    with translation.override("it"):
        assert translation.gettext("Your voicemail message") in page.text  # that it arrived
        assert f'id="ticket-status">{Status.OPEN.label}</strong>' in page.text


def test_the_status_page_tells_states_never_their_reasons_nor_internal_rows(
    client, ticket, front_operator, back_operator
):
    from tickets.models import TicketEvent

    services.add_note(actor=front_operator, ticket_id=ticket.pk, text="Nota interna: fascicolo 88/2026")
    services.escalate_ticket(
        actor=front_operator, ticket_id=ticket.pk, reason="Sospetta falsificazione del passaporto"
    )
    services.record_event(ticket, TicketEvent.Kind.DELIVERY_FAILED, public=True, error="550 mx1.questura.internal")
    services.record_event(
        ticket, TicketEvent.Kind.UPDATED, public=True, notice="attachment_quarantined", filename="malware.exe"
    )
    services.record_event(ticket, TicketEvent.Kind.PRIORITY_CHANGED, public=True, priority=4)
    services.reply_to_ticket(actor=back_operator, ticket_id=ticket.pk, text="Porti il passaporto originale.")

    page = client.get(status_url("en", ticket.access_token)).text

    assert "Porti il passaporto originale." in page
    assert "Quali documenti servono?" in page  # what the citizen wrote
    assert str(TicketEvent.Kind.ESCALATED.label) in page  # where the request stands
    for internal in ("fascicolo 88", "falsificazione", "mx1.questura", "malware.exe", "Marta", "Ferri", "Anna"):
        assert internal not in page, internal
    for label in (TicketEvent.Kind.DELIVERY_FAILED.label, TicketEvent.Kind.PRIORITY_CHANGED.label, "Updated"):
        assert f"{label}</p>" not in page, label


def test_a_phone_call_logged_by_an_operator_shows_only_that_it_arrived(client, front_queue, citizen):
    call = services.open_ticket(
        citizen=citizen,
        queue=front_queue,
        channel="phone",
        subject="Chiamata: cittadino molto agitato",
        text="Chiede del rinnovo; verificare i precedenti in banca dati.",
    )
    page = client.get(status_url("en", call.access_token)).text
    assert "agitato" not in page and "precedenti" not in page
    assert "Your phone call" in page
