"""The ticket view and its actions, through HTTP as the desk's htmx calls them."""

import pytest
from django.core import mail
from django.urls import reverse

from operators.models import CannedReply, Role
from tests.desk.helpers import desk_login
from tests.factories import make_operator, open_test_ticket
from tickets import services
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import NewAttachment

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def post(client, name, ticket, data=None, version=True):
    ticket.refresh_from_db()
    payload = dict(data or {})
    if version:
        payload.setdefault("version", ticket.version)
    return client.post(reverse(f"desk:{name}", args=[ticket.pk]), payload, headers=HX)


@pytest.mark.parametrize("count", [2, 20])
def test_ticket_view_query_count_does_not_grow_with_messages(
    client, front_operator, ticket, count, django_assert_max_num_queries
):
    for index in range(count):
        services.add_inbound_message(
            ticket=ticket,
            text=f"Messaggio {index}",
            channel="email",
            attachments=[NewAttachment(filename=f"f{index}.txt", content_type="text/plain", payload=b"x")],
        )
        services.add_note(actor=front_operator, ticket_id=ticket.pk, text=f"Nota {index}")
        open_test_ticket(ticket.queue, ticket.citizen)  # the citizen's history grows too
    desk_login(client, front_operator)
    # session (+ idle write), user, operator, OTP, queue ids, ticket, messages, attachments, events,
    # history, colleagues, topics, canned replies, sidebar, access-log insert: fixed, whatever the count.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    assert response.text.count('data-message="in"') == count + 1
    assert response.text.count('data-message="note"') == count


def test_timeline_shows_messages_events_and_media(client, back_operator, front_operator, ticket):
    services.add_inbound_message(
        ticket=ticket,
        text="Ecco la foto e il vocale",
        channel="whatsapp",
        attachments=[
            NewAttachment(filename="foto.jpg", content_type="image/jpeg", payload=b"\xff\xd8\xff\xe0 jpeg"),
            NewAttachment(filename="vocale.ogg", content_type="audio/ogg", payload=b"OggS audio"),
            NewAttachment(filename="modulo.pdf", content_type="application/pdf", payload=b"%PDF-1.4"),
        ],
    )
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Questione di cittadinanza")
    desk_login(client, back_operator)
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    text = response.text
    assert "Ecco la foto e il vocale" in text
    assert '<img src="/desk/attachments/' in text
    assert '<audio controls preload="none" src="/desk/attachments/' in text
    assert "modulo.pdf" in text
    assert "Escalated to back office" in text
    assert "Questione di cittadinanza" in text
    assert ticket.citizen.email in text  # the citizen card


def test_citizen_card_shows_history_across_channels(client, front_operator, ticket):
    phone = open_test_ticket(ticket.queue, ticket.citizen, channel="phone", subject="Telefonata")
    desk_login(client, front_operator)
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert phone.reference in response.text
    assert "Phone" in response.text or "Telefono" in response.text


def test_take_then_reply_sends_mail_on_ticket_channel(
    client, front_operator, ticket, django_capture_on_commit_callbacks
):
    desk_login(client, front_operator)
    response = post(client, "take", ticket)
    assert response.status_code == 200
    assert "data-assignee>Anna Rossi" in response.text
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "reply", ticket, {"text": "Servono passaporto e foto."})
    assert response.status_code == 200
    assert "Servono passaporto e foto." in response.text
    reply = Message.objects.get(ticket=ticket, direction="out")
    assert reply.channel == "email"
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:  # with a broker the worker sends it (tests/e2e: a real SMTP sink)
        assert any("Servono passaporto e foto." in m.body for m in mail.outbox)


def test_second_taker_sees_who_has_it(client, front_operator, front_operator_2, ticket):
    desk_login(client, front_operator_2)
    ticket.refresh_from_db()
    seen_version = ticket.version
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    response = client.post(reverse("desk:take", args=[ticket.pk]), {"version": seen_version + 1}, headers=HX)
    assert response.status_code == 409
    assert "Anna Rossi" in response.text
    assert "data-domain-error" in response.text


def test_stale_view_is_refused_with_a_clear_message(client, front_operator, front_operator_2, ticket):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    stale = ticket.version
    desk_login(client, front_operator_2)
    services.change_priority(actor=front_operator, ticket_id=ticket.pk, priority=3)
    response = client.post(reverse("desk:wait", args=[ticket.pk]), {"version": stale}, headers=HX)
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    ticket.refresh_from_db()
    assert ticket.status == "open"  # nothing overwritten


def test_escalate_needs_a_reason_then_leaves_front_office(client, front_operator, ticket):
    desk_login(client, front_operator)
    post(client, "take", ticket)
    response = post(client, "escalate", ticket, {"reason": "  "})
    assert response.status_code == 422
    response = post(client, "escalate", ticket, {"reason": "Serve il parere legale"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("desk:home")
    ticket.refresh_from_db()
    assert ticket.status == "escalated" and ticket.tier == "back"
    assert ticket.events.filter(kind="escalated", data__reason="Serve il parere legale").exists()


def test_back_office_takes_returns_and_hands_to_official(client, front_operator, back_operator, ticket):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Parere")
    desk_login(client, back_operator)
    assert post(client, "take", ticket).status_code == 200
    response = post(
        client,
        "hand_to_official",
        ticket,
        {"official": "Dott.ssa Neri, ufficio cittadinanza", "note": "Ha il fascicolo"},
    )
    assert response.status_code == 200
    assert "Dott.ssa Neri, ufficio cittadinanza" in response.text
    assert ticket.events.filter(kind=TicketEvent.Kind.HANDED_TO_OFFICIAL).exists()
    ticket.refresh_from_db()
    assert ticket.assignee == back_operator  # the expert keeps it
    response = post(client, "return_to_front", ticket, {"note": "Risposta standard, gestite voi"})
    assert response.status_code == 204  # it left the back office's sight
    ticket.refresh_from_db()
    assert ticket.tier == "front" and ticket.status == "open"


def test_resolve_close_reopen(client, front_operator, ticket):
    desk_login(client, front_operator)
    post(client, "take", ticket)
    response = post(client, "resolve", ticket, {"outcome": "answered", "note": "Risolto al telefono"})
    assert response.status_code == 200
    assert 'data-status="resolved"' in response.text
    assert 'data-status="closed"' in post(client, "close", ticket).text
    assert 'data-status="reopened"' in post(client, "reopen", ticket).text


def test_resolve_without_outcome_is_refused(client, front_operator, ticket):
    desk_login(client, front_operator)
    assert post(client, "resolve", ticket, {"outcome": "bogus"}).status_code == 422


def test_note_topic_priority_assign_wait(client, front_operator, front_operator_2, ticket):
    from tickets.models import Topic

    topic = Topic.objects.create(name="Cittadinanza", slug="cittadinanza-test")
    desk_login(client, front_operator)
    assert "Solo per noi" in post(client, "note", ticket, {"text": "Solo per noi"}, version=False).text
    assert "Cittadinanza" in post(client, "change_topic", ticket, {"topic": topic.pk}).text
    assert "Urgent" in post(client, "change_priority", ticket, {"priority": "4"}).text
    response = post(client, "assign", ticket, {"assignee": front_operator_2.pk})
    assert "Bruno Verdi" in response.text
    assert 'data-status="waiting_citizen"' in post(client, "wait", ticket).text
    ticket.refresh_from_db()
    assert (ticket.topic, ticket.priority, ticket.assignee) == (topic, 4, front_operator_2)


def test_merge_duplicate_of_same_citizen(client, front_operator, ticket):
    duplicate = open_test_ticket(ticket.queue, ticket.citizen, text="Scrivo di nuovo")
    desk_login(client, front_operator)
    response = post(client, "merge", ticket, {"duplicate": duplicate.pk}, version=False)
    assert response.status_code == 200
    assert "Scrivo di nuovo" in response.text
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket and duplicate.status == "closed"


def test_canned_reply_in_citizens_language_with_placeholders(client, front_operator, ticket):
    canned = CannedReply.objects.create(
        title="Saluto",
        text_it="Gentile {citizen_name}, la sua istanza {reference} è in lavorazione.",
        text_en="Dear {citizen_name}, your request {reference} is being handled.",
    )
    Ticket.objects.filter(pk=ticket.pk).update(language="en")
    desk_login(client, front_operator)
    response = client.get(
        reverse("desk:canned_reply", args=[ticket.pk]), {"canned": canned.pk, "text": "Hello"}, headers=HX
    )
    assert 'id="reply-text"' in response.text
    assert f"Hello\n\nDear Youssef El Amrani, your request {ticket.reference} is being handled." in response.text


def test_presence_shows_colleague_and_stale_warning(client, front_operator, front_operator_2, ticket):
    desk_login(client, front_operator_2)
    client.get(reverse("desk:ticket", args=[ticket.pk]))
    desk_login(client, front_operator)
    ticket.refresh_from_db()
    response = client.post(reverse("desk:ticket_presence", args=[ticket.pk]), {"version": ticket.version}, headers=HX)
    assert "Also looking at this request: Bruno Verdi" in response.text
    assert "data-changed" not in response.text
    services.change_priority(actor=front_operator_2, ticket_id=ticket.pk, priority=3)
    response = client.post(reverse("desk:ticket_presence", args=[ticket.pk]), {"version": ticket.version}, headers=HX)
    assert "changed by someone else" in response.text


def test_presence_and_language_selectors_save_on_the_operator(client, front_operator):
    desk_login(client, front_operator)
    response = client.post(reverse("desk:set_presence"), {"presence": "busy"}, headers=HX)
    assert 'value="busy" selected' in response.text
    response = client.post(reverse("desk:set_language"), {"language": "en"}, headers=HX)
    assert response["HX-Refresh"] == "true"
    front_operator.operator.refresh_from_db()
    assert (front_operator.operator.presence, front_operator.operator.ui_language) == ("busy", "en")
    assert client.get(reverse("desk:home")).headers["Content-Language"] == "en"


def test_desk_follows_operator_language(client, front_operator):
    front_operator.operator.ui_language = "fr"
    front_operator.operator.save()
    desk_login(client, front_operator)
    response = client.get(reverse("desk:home"))
    assert '<html lang="fr">' in response.text


def test_optional_partials_of_other_apps_are_included_when_present(client, front_operator, ticket, settings, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "_ticket_problems.html").write_text('<span id="problems">{{ ticket.reference }}</span>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    desk_login(client, front_operator)
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert f'<span id="problems">{ticket.reference}</span>' in response.text


def test_supervisor_sees_every_queue(client, ticket, front_queue, back_queue):
    supervisor = make_operator(role=Role.SUPERVISOR, queues=[], office=front_queue.office)
    desk_login(client, supervisor)
    response = client.get(reverse("desk:all"))
    assert ticket.reference in response.text


def test_insert_faq_answer_in_the_citizens_language(client, front_operator, ticket):
    from faq.models import FaqEntry, FaqTopic

    topic = FaqTopic.objects.create(name="Permessi", slug="permessi-desk")
    entry = FaqEntry.objects.create(
        topic=topic,
        slug="rinnovo-desk",
        status="published",
        question_it="Come rinnovo il permesso di soggiorno?",
        answer_it="<p>Con il kit postale.</p>",
        question_en="How do I renew my residence permit?",
        answer_en="<p>With the <strong>postal kit</strong>.</p>",
        translation_en="ready",
    )
    Ticket.objects.filter(pk=ticket.pk).update(language="en")
    desk_login(client, front_operator)
    url = reverse("desk:faq_answer", args=[ticket.pk])
    response = client.get(url, {"entry": entry.pk, "text": "Hello,"}, headers=HX)
    assert 'id="reply-text"' in response.text
    assert "Hello,\n\nHow do I renew my residence permit?\nWith the postal kit." in response.text
    response = client.get(url, {"faq_q": "residence permit"}, headers=HX)
    assert response.status_code == 200
