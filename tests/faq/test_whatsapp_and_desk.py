"""Checklists on the ticket's channel: the operator's one click, and the WhatsApp list answered at any hour."""

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from faq.models import Appointment, Procedure
from faq.selectors import list_free_slots
from faq.services import request_appointment, whatsapp_procedures_menu
from operators.models import Role
from tickets.models import Message, Status, TicketEvent

from ..channels.test_whatsapp import post, text_payload
from ..conftest import login_verified
from ..factories import make_operator, open_test_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

WA_ID = "393331234567"


def list_reply_payload(row_id: str, *, wamid: str) -> bytes:
    data = json.loads(text_payload("x", wamid=wamid, wa_id=WA_ID))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = "interactive"
    message.pop("text")
    message["interactive"] = {
        "type": "list_reply",
        "list_reply": {"id": row_id, "title": "Rinnovo lavoro", "description": "Rinnovo del permesso"},
    }
    return json.dumps(data).encode()


def test_whatsapp_acknowledgement_offers_the_procedures_and_a_choice_gets_the_checklist(
    client, graph, seeded_faq, front_queue, back_queue, django_capture_on_commit_callbacks
):
    post(
        client,
        text_payload("Hola, necesito ayuda", wamid="wamid.first", wa_id=WA_ID),
        capture=django_capture_on_commit_callbacks,
    )
    ack = graph.sent_messages()[-1]
    assert ack["type"] == "interactive"
    interactive = ack["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert rows[0]["id"] == "procedure:rinnovo-permesso-lavoro-subordinato"
    assert all(len(row["title"]) <= 24 and len(row["description"]) <= 72 for row in rows)
    assert len(interactive["body"]["text"]) <= 1024

    # No operator involved: the checklist goes out at once, whatever the office hours.
    post(
        client,
        list_reply_payload("procedure:rinnovo-permesso-lavoro-subordinato", wamid="wamid.choice"),
        capture=django_capture_on_commit_callbacks,
    )
    checklist = graph.sent_messages()[-1]
    assert checklist["type"] == "text"
    body = checklist["text"]["body"]
    assert "Passaporto valido" in body
    assert "Questura" in body
    ticket = Message.objects.get(external_id="wamid.choice").ticket
    assert ticket.status in (Status.NEW, Status.OPEN)  # an automatic answer is not an operator's
    assert ticket.messages.filter(direction="out").count() == 2


def test_unknown_procedure_choice_sends_nothing_more(
    client, graph, seeded_faq, front_queue, back_queue, django_capture_on_commit_callbacks
):
    post(client, text_payload("Ciao", wamid="wamid.a", wa_id=WA_ID), capture=django_capture_on_commit_callbacks)
    before = len(graph.sent_messages())
    post(client, list_reply_payload("procedure:nope", wamid="wamid.b"), capture=django_capture_on_commit_callbacks)
    assert len(graph.sent_messages()) == before


def test_menu_is_in_the_citizen_language_and_fits_whatsapp_limits(seeded_faq):
    menu = whatsapp_procedures_menu("fr", body_text="x" * 5000)
    assert menu["type"] == "list"
    rows = menu["action"]["sections"][0]["rows"]
    assert rows[0]["title"] == "Renouvellement travail"
    assert len(menu["body"]["text"]) <= 1024
    assert len(menu["action"]["button"]) <= 20


def test_checklist_text_in_the_ticket_language(seeded_faq):
    procedure = Procedure.objects.get(slug="permesso-ue-lungo-periodo")
    text = procedure.checklist_text("en")
    assert text.startswith("*EU long-term residence permit*")
    assert "☐ Four passport photos" in text
    assert "100.00-euro contribution" in text


def test_operator_sends_a_checklist_in_one_click(
    client, seeded_faq, ticket, front_operator, django_capture_on_commit_callbacks
):
    ticket.language = "es"
    ticket.save()
    procedure = Procedure.objects.get(slug="ricongiungimento-nulla-osta")
    client.force_login(front_operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal_ops:send_checklist", args=[ticket.pk]),
            {"procedure": procedure.pk},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert "Reagrupación familiar" in response.text or "sent" in response.text.lower()
    message = ticket.messages.filter(direction=Message.Direction.OUTBOUND).last()
    assert message.text.startswith("*Reagrupación familiar: autorización (nulla osta)*")
    assert message.author == front_operator


def test_checklist_is_refused_for_a_ticket_the_operator_cannot_see(client, seeded_faq, ticket, back_queue):
    outsider = make_operator(role=Role.BACK_OFFICE, queues=[back_queue], username="outsider")
    client.force_login(outsider)
    procedure = Procedure.objects.first()
    response = client.post(reverse("portal_ops:send_checklist", args=[ticket.pk]), {"procedure": procedure.pk})
    assert response.status_code == 404
    assert not ticket.messages.filter(direction=Message.Direction.OUTBOUND).exists()


def test_checklist_partial_renders_for_the_desk(seeded_faq, ticket):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("it"):  # as the desk includes it for an Italian-speaking operator
        html = render_to_string("faq/_send_checklist.html", {"ticket": ticket})
    assert reverse("portal_ops:send_checklist", args=[ticket.pk]) in html
    assert "hx-post" in html
    assert "Cittadinanza italiana per residenza" in html


def test_desk_ticket_page_offers_the_checklists(client, seeded_faq, ticket, front_operator):
    client.force_login(front_operator)
    page = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert page.status_code == 200
    assert reverse("portal_ops:send_checklist", args=[ticket.pk]) in page.text


# ----------------------------------------------------------------------------- appointments


def _next_free_slot(office) -> datetime:
    return list_free_slots(office, limit=1)[0][0]


def test_slots_follow_the_office_calendar_and_skip_booked_ones(seeded_faq, ticket):
    slots = list_free_slots(ticket.office, limit=30)
    assert all((end - start) == timedelta(minutes=20) for start, end in slots)
    first = slots[0][0]
    local = timezone.localtime(first)
    assert local.weekday() < 5 and local.hour >= 9
    appointment = request_appointment(ticket=ticket, procedure=None)
    Appointment.objects.filter(pk=appointment.pk).update(
        status="confirmed", slot_start=first, slot_end=first + timedelta(minutes=20)
    )
    assert first not in [start for start, _end in list_free_slots(ticket.office, limit=30)]


def test_back_office_confirms_a_slot_and_the_citizen_sees_it(client, seeded_faq, ticket, supervisor):
    procedure = Procedure.objects.get(slug="rinnovo-permesso-lavoro-subordinato")
    appointment = request_appointment(ticket=ticket, procedure=procedure, preferred_dates="mattina")
    login_verified(client, supervisor)
    page = client.get(reverse("portal_ops:appointments"))
    assert ticket.reference in page.text
    slot = _next_free_slot(ticket.office)
    response = client.post(
        reverse("portal_ops:appointment_schedule", args=[appointment.pk]),
        {"slot": slot.isoformat(), "action": "confirm"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.slot_start) == ("confirmed", slot)
    told = ticket.messages.filter(direction=Message.Direction.OUTBOUND).last()
    assert "confirmed" in told.text or "confermato" in told.text
    assert TicketEvent.objects.filter(ticket=ticket, data__appointment_status="confirmed").exists()
    with translation.override("it"):
        status = client.get(reverse("portal:status_token", args=[ticket.access_token]))
    assert timezone.localtime(slot).strftime("%H:%M") in status.text


def test_the_same_slot_cannot_be_booked_twice(client, seeded_faq, ticket, supervisor, citizen, front_queue):
    other = open_test_ticket(front_queue, citizen)
    first = request_appointment(ticket=ticket, procedure=None)
    second = request_appointment(ticket=other, procedure=None)
    login_verified(client, supervisor)
    slot = _next_free_slot(ticket.office)
    url = "portal_ops:appointment_schedule"
    client.post(reverse(url, args=[first.pk]), {"slot": slot.isoformat(), "action": "propose"})
    response = client.post(reverse(url, args=[second.pk]), {"slot": slot.isoformat(), "action": "confirm"})
    assert response.status_code == 409
    second.refresh_from_db()
    assert second.status == "requested"


def test_front_office_cannot_schedule_appointments(client, seeded_faq, ticket, front_operator):
    request_appointment(ticket=ticket, procedure=None)
    client.force_login(front_operator)
    assert client.get(reverse("portal_ops:appointments")).status_code == 403


def test_a_withdrawn_procedure_leaves_the_whatsapp_menu_at_once(seeded_faq, django_capture_on_commit_callbacks):
    def offered() -> list[str]:
        menu = whatsapp_procedures_menu("it")
        return [row["id"] for row in menu["action"]["sections"][0]["rows"]] if menu else []

    first = offered()[0]  # read once: kept a few seconds in this process, for the next acknowledgements
    procedure = Procedure.objects.get(slug=first.removeprefix("procedure:"))
    with django_capture_on_commit_callbacks(execute=True):
        procedure.is_published = False
        procedure.save()
    assert first not in offered()
