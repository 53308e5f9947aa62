"""What an acknowledgement says does not depend on how it was rendered (notifications' skeletons)."""

import pytest
from django.utils import translation

from channels_app import notifications
from channels_app.notifications import send_acknowledgement
from tickets.models import Message

from ..factories import CitizenFactory, open_test_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_skeletons():
    notifications._skeletons.clear()
    yield
    notifications._skeletons.clear()


def acknowledgement_of(front_queue, **citizen):
    ticket = open_test_ticket(front_queue, CitizenFactory(**citizen))
    message = send_acknowledgement(ticket.pk)
    return ticket, message


def in_full(ticket, prefix="acknowledgement", **extra):
    """The templates rendered the plain way, for this ticket alone."""
    language = notifications._language(ticket)
    with translation.override(language):
        subject, text, html = notifications._render_in_full(prefix, notifications._context(ticket, language, **extra))
    return " ".join(subject.split()), text.strip() + "\n", html


@pytest.mark.parametrize("language", ["it", "en", "fr", "es"])
def test_every_acknowledgement_says_what_its_template_says_for_its_ticket(front_queue, language):
    people = [
        {"first_name": "Amina", "last_name": "Diallo"},
        {"first_name": "", "last_name": ""},  # no name: the greeting changes
        {"first_name": "Carla", "last_name": "D'Angelo"},  # an apostrophe: escaped in the HTML
        {"first_name": "Jürgen & Co", "last_name": ""},
        {"first_name": "Paolo", "last_name": "Neri"},
    ]
    for person in people:
        ticket, message = acknowledgement_of(front_queue, preferred_language=language, **person)
        assert (message.subject, message.text, message.html) == in_full(ticket)
        assert ticket.reference in message.subject and ticket.access_token in message.text
        assert (person["first_name"] or "") in message.text
    assert any(value for value in notifications._skeletons.values())  # and most came from a skeleton


def test_two_tickets_never_share_each_others_details(front_queue):
    first, first_ack = acknowledgement_of(front_queue, first_name="Marta", last_name="Bianchi")
    second, second_ack = acknowledgement_of(front_queue, first_name="Luigi", last_name="Verdi")
    for ack, other in ((first_ack, second), (second_ack, first)):
        assert other.reference not in ack.subject + ack.text + ack.html
        assert other.access_token not in ack.text + ack.html
        assert other.citizen.first_name not in ack.text
    assert "Luigi" in second_ack.text and "Marta" in first_ack.text


def test_a_template_that_filters_a_value_or_reads_the_ticket_is_rendered_in_full(front_queue, settings, tmp_path):
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "acknowledgement_subject.txt").write_text("{{ ticket.reference }} — {{ ticket.subject }}")
    (emails / "acknowledgement_body.txt").write_text("Gentile {{ name|upper }}, {{ ticket.reference }} {{ office }}")
    # A deployment's own templates, found first (the setting change resets the template engines).
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path), *settings.TEMPLATES[0]["DIRS"]]}]
    first, first_ack = acknowledgement_of(front_queue, first_name="Marta", last_name="Bianchi")
    second, second_ack = acknowledgement_of(front_queue, first_name="Luigi", last_name="Verdi")
    assert second_ack.subject == f"{second.reference} — {second.subject}"
    assert second_ack.text.startswith(f"Gentile LUIGI, {second.reference}")
    assert first_ack.text.startswith(f"Gentile MARTA, {first.reference}")
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 2
    assert not any(notifications._skeletons.values())  # such templates are never filled in


def test_status_notifications_follow_their_kind(front_queue):
    from channels_app.notifications import notify_status_change

    for kind in ("resolved", "waiting", "resolved"):
        ticket = open_test_ticket(front_queue, CitizenFactory(first_name="Rosa", last_name="Gialli"))
        message = notify_status_change(ticket.pk, kind)
        assert (message.subject, message.text) == in_full(ticket, "status", kind=kind)[:2]
