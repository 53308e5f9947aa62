"""Every page without parameters, as every role: no list shows a request the desk hides from that role.

The hidden request is a back-office request of another office, with an appointment asked by the
citizen: a back-office expert of this office must not see it in any list (the appointments page
listed every office's requests with the citizen's name), a front-office operator neither, and the
supervisors' pages (board, reports, problems, campaigns) refuse both operators.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from faq.models import Appointment
from operators.models import Role
from tests.conftest import login_verified
from tests.factories import CitizenFactory, OfficeFactory, QueueFactory, make_operator, open_test_ticket
from tickets import services
from tickets.models import Tier

from .test_idor_walk import all_routes

SECRETS = ("Nascosto", "nascosto@example.org", "Pratica riservata", "martedì mattina presto")
# Pages only supervisors (and administrators) open; operators are refused.
SUPERVISOR_ONLY = ("dashboard:",)


@pytest.fixture
def hidden(db):
    """A request in another office's back office, with an appointment the citizen asked for."""
    elsewhere = OfficeFactory(code="milano", name="Questura di Milano")
    front = QueueFactory(office=elsewhere, name="Front Milano", tier=Tier.FRONT)
    back = QueueFactory(office=elsewhere, name="Back Milano", tier=Tier.BACK)
    citizen = CitizenFactory(first_name="Segreto", last_name="Nascosto", email="nascosto@example.org")
    ticket = open_test_ticket(front, citizen, subject="Pratica riservata")
    colleague = make_operator(role=Role.FRONT_OFFICE, queues=[front], username="milano-front")
    services.escalate_ticket(actor=colleague, ticket_id=ticket.pk, reason="Esperto", queue=back)
    Appointment.objects.create(ticket=ticket, office=elsewhere, preferred_dates="martedì mattina presto")
    return ticket


@pytest.fixture
def visible_here(front_queue, back_queue):
    """This office's own requests: one in each tier, one with an appointment, so lists are not empty."""
    front_ticket = open_test_ticket(front_queue, subject="Richiesta visibile")
    back_ticket = open_test_ticket(front_queue, subject="Richiesta in back office")
    expert = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], username="here-front")
    services.escalate_ticket(actor=expert, ticket_id=back_ticket.pk, reason="Esperto", queue=back_queue)
    Appointment.objects.create(ticket=back_ticket, office=back_queue.office, preferred_dates="lunedì")
    return front_ticket, back_ticket


def _get(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ["front", "back", "supervisor"])
def test_no_page_lists_a_request_the_role_may_not_see(
    client, hidden, visible_here, front_operator, back_operator, supervisor, role
):
    user = {"front": front_operator, "back": back_operator, "supervisor": supervisor}[role]
    if role == "supervisor":
        login_verified(client, user)
    else:
        client.force_login(user)
    findings, walked = [], []
    for route, params in all_routes():
        if params or route.startswith("admin:"):
            continue
        try:
            url = reverse(route)
        except NoReverseMatch:
            continue
        walked.append(route)
        response, text = _get(client, url)
        if response.status_code >= 500 and not (route == "readyz" and response.status_code == 503):
            findings.append(f"{url} ({route}) answered {response.status_code}")
            continue
        if role != "supervisor" and route.startswith(SUPERVISOR_ONLY) and response.status_code == 200:
            findings.append(f"{url} ({route}) is open to a {role}-office operator")
        if role == "supervisor":
            continue  # supervisors see every office (until offices are scoped): nothing is hidden from them
        leaked = [secret for secret in SECRETS if secret in text]
        if leaked:
            findings.append(f"{url} ({route}) shows {leaked} to a {role}-office operator")
    assert {"portal_ops:appointments", "portal_ops:feedback", "dashboard:problems", "dashboard:campaigns"} <= set(
        walked
    )
    assert not findings, "\n".join(findings)


def test_the_appointments_page_lists_the_experts_own_office(client, hidden, visible_here, back_operator):
    client.force_login(back_operator)
    response, text = _get(client, reverse("portal_ops:appointments"))
    assert response.status_code == 200
    assert visible_here[1].reference in text
    assert hidden.reference not in text and "Nascosto" not in text


def test_an_appointment_of_a_hidden_request_cannot_be_scheduled_or_cancelled(client, hidden, back_operator):
    appointment = Appointment.objects.get(ticket=hidden)
    client.force_login(back_operator)
    for action in ("appointment_cancel", "appointment_schedule"):
        response = client.post(reverse(f"portal_ops:{action}", args=[appointment.pk]), {"slot": "2030-01-07T09:00"})
        assert response.status_code in (403, 404), action
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.REQUESTED


def test_an_appointment_of_a_hidden_request_answers_like_one_that_does_not_exist(client, hidden, back_operator):
    appointment = Appointment.objects.get(ticket=hidden)
    appointment.status = Appointment.Status.CANCELLED  # its status must not be told either
    appointment.save(update_fields=["status"])
    client.force_login(back_operator)
    for pk in (appointment.pk, appointment.pk + 1000):
        response = client.post(reverse("portal_ops:appointment_cancel", args=[pk]), headers={"HX-Request": "true"})
        assert response.status_code == 404
        assert "does not exist" in response.content.decode(), response.content.decode()[:300]
