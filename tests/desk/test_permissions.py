"""Every desk URL, walked with every role: the one gate (operator_required) and the row rules (access.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse

from operators import urls as desk_urls
from operators.models import Role
from tests.desk.helpers import desk_login
from tests.factories import make_operator
from tickets import services
from tickets.models import Ticket
from tickets.services import NewAttachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

# Every route of the desk: name -> (method, kwargs builder).  A route missing here fails the test below.
ROUTES = {
    "home": ("get", lambda t: {}),
    "queue": ("get", lambda t: {"queue_id": t.queue_id}),
    "waiting": ("get", lambda t: {}),
    "due": ("get", lambda t: {}),
    "all": ("get", lambda t: {}),
    "search": ("get", lambda t: {}),
    "next_ticket": ("get", lambda t: {}),
    "ticket": ("get", lambda t: {"ticket_id": t.pk}),
    "take": ("post", lambda t: {"ticket_id": t.pk}),
    "assign": ("post", lambda t: {"ticket_id": t.pk}),
    "reply": ("post", lambda t: {"ticket_id": t.pk}),
    "note": ("post", lambda t: {"ticket_id": t.pk}),
    "change_topic": ("post", lambda t: {"ticket_id": t.pk}),
    "change_priority": ("post", lambda t: {"ticket_id": t.pk}),
    "wait": ("post", lambda t: {"ticket_id": t.pk}),
    "resolve": ("post", lambda t: {"ticket_id": t.pk}),
    "close": ("post", lambda t: {"ticket_id": t.pk}),
    "reopen": ("post", lambda t: {"ticket_id": t.pk}),
    "escalate": ("post", lambda t: {"ticket_id": t.pk}),
    "return_to_front": ("post", lambda t: {"ticket_id": t.pk}),
    "hand_to_official": ("post", lambda t: {"ticket_id": t.pk}),
    "merge": ("post", lambda t: {"ticket_id": t.pk}),
    "ticket_presence": ("post", lambda t: {"ticket_id": t.pk}),
    "canned_reply": ("get", lambda t: {"ticket_id": t.pk}),
    "faq_answer": ("get", lambda t: {"ticket_id": t.pk}),
    "attachment": ("get", lambda t: {"attachment_id": t.attachments.first().pk}),
    "log_call": ("get", lambda t: {}),
    "log_call_new": ("post", lambda t: {}),
    "log_call_add": ("post", lambda t: {"ticket_id": t.pk}),
    "ringing": ("get", lambda t: {}),
    "register_mail": ("get", lambda t: {}),
    "set_presence": ("post", lambda t: {}),
    "set_language": ("post", lambda t: {}),
}


def test_every_desk_route_is_walked():
    names = {p.name for p in desk_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(ROUTES), "add the new desk route to ROUTES so its permissions are tested"


@pytest.fixture
def back_ticket_with_file(front_queue, back_queue, front_operator, citizen):
    ticket = services.open_ticket(
        citizen=citizen,
        queue=front_queue,
        channel="whatsapp",
        text="Ecco il documento",
        attachments=[NewAttachment(filename="doc.png", content_type="image/png", payload=PNG)],
    )
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    return services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Serve un esperto")


# Valid input for each action, so that only the permission can refuse it.
PAYLOADS = {
    "reply": {"text": "Buongiorno"},
    "note": {"text": "Nota"},
    "change_priority": {"priority": "3"},
    "resolve": {"outcome": "answered"},
    "escalate": {"reason": "Serve un esperto"},
    "return_to_front": {"note": "Rispondete voi"},
    "hand_to_official": {"official": "Dott. Rossi"},
    "log_call_add": {"number": "+393331234567", "text": "Ha chiamato"},
    "set_presence": {"presence": "busy"},
    "set_language": {"language": "en"},
}


def _request(client, name, ticket):
    method, build = ROUTES[name]
    url = reverse(f"desk:{name}", kwargs=build(ticket))
    if method == "post":
        return client.post(url, PAYLOADS.get(name, {}))
    return client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client, name, back_ticket_with_file):
    response = _request(client, name, back_ticket_with_file)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_staff_without_operator_profile_is_refused(client, name, back_ticket_with_file):
    user = get_user_model().objects.create_user("intruder", password="x", is_staff=True)
    desk_login(client, user)
    assert _request(client, name, back_ticket_with_file).status_code == 403


# Front office meets a back-office ticket: every ticket URL answers 404, as if it did not exist.
BACK_ONLY = {
    "queue",
    "ticket",
    "take",
    "assign",
    "reply",
    "note",
    "change_topic",
    "change_priority",
    "wait",
    "resolve",
    "close",
    "reopen",
    "escalate",
    "return_to_front",
    "hand_to_official",
    "merge",
    "ticket_presence",
    "canned_reply",
    "faq_answer",
    "attachment",
    "log_call_add",
}


@pytest.mark.parametrize("name", sorted(BACK_ONLY))
def test_front_office_cannot_reach_back_office_ticket(client, name, front_operator, back_ticket_with_file):
    desk_login(client, front_operator)
    response = _request(client, name, back_ticket_with_file)
    assert response.status_code == 404
    assert back_ticket_with_file.reference not in response.text


@pytest.mark.parametrize(
    "role,expected",
    [
        (Role.FRONT_OFFICE, 404),
        (Role.BACK_OFFICE, 200),
        (Role.SUPERVISOR, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_ticket_view_and_attachment_by_role(client, role, expected, front_queue, back_queue, back_ticket_with_file):
    queues = {Role.FRONT_OFFICE: [front_queue], Role.BACK_OFFICE: [back_queue]}.get(role, [])
    desk_login(client, make_operator(role=role, queues=queues, office=front_queue.office))
    assert client.get(reverse("desk:ticket", args=[back_ticket_with_file.pk])).status_code == expected
    attachment = back_ticket_with_file.attachments.get()
    response = client.get(reverse("desk:attachment", args=[attachment.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("name", ["home", "waiting", "due", "search", "log_call", "register_mail", "ringing"])
def test_every_role_opens_the_desk_lists(client, role, name, front_queue, back_queue):
    queues = {Role.FRONT_OFFICE: [front_queue], Role.BACK_OFFICE: [back_queue]}.get(role, [])
    desk_login(client, make_operator(role=role, queues=queues, office=front_queue.office))
    assert client.get(reverse(f"desk:{name}")).status_code == 200


@pytest.mark.parametrize(
    "role,expected",
    [(Role.FRONT_OFFICE, 403), (Role.BACK_OFFICE, 403), (Role.SUPERVISOR, 200), (Role.ADMINISTRATOR, 200)],
)
def test_all_requests_list_is_for_supervisors(client, role, expected, front_queue, back_queue):
    queues = {Role.FRONT_OFFICE: [front_queue], Role.BACK_OFFICE: [back_queue]}.get(role, [])
    desk_login(client, make_operator(role=role, queues=queues, office=front_queue.office))
    assert client.get(reverse("desk:all")).status_code == expected


def test_back_office_cannot_open_front_office_queue(client, back_operator, front_queue):
    desk_login(client, back_operator)
    assert client.get(reverse("desk:queue", args=[front_queue.pk])).status_code == 404


def test_front_office_does_not_see_back_office_ticket_in_search(client, front_operator, back_ticket_with_file):
    desk_login(client, front_operator)
    response = client.get(reverse("desk:search"), {"q": back_ticket_with_file.reference})
    assert response.status_code == 200
    assert reverse("desk:ticket", args=[back_ticket_with_file.pk]) not in response.text
    assert "No requests here." in response.text


def test_nobody_downloads_an_attachment_of_a_ticket_they_cannot_see(client, back_ticket_with_file, front_queue):
    other_office_queue = front_queue.__class__.objects.create(
        office=front_queue.office, name="Altro sportello", tier="front", is_default=False
    )
    outsider = make_operator(role=Role.FRONT_OFFICE, queues=[other_office_queue])
    desk_login(client, outsider)
    attachment = back_ticket_with_file.attachments.get()
    assert client.get(reverse("desk:attachment", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("desk:attachment", args=[attachment.pk + 1000])).status_code == 404


def test_non_image_attachment_is_downloaded_not_shown(client, back_operator, back_ticket_with_file):
    ticket = Ticket.objects.get(pk=back_ticket_with_file.pk)
    services.add_note(
        actor=back_operator,
        ticket_id=ticket.pk,
        text="SVG",
        attachments=[NewAttachment(filename="x.svg", content_type="image/svg+xml", payload=b"<svg onload=alert(1)/>")],
    )
    desk_login(client, back_operator)
    svg = ticket.attachments.get(filename="x.svg")
    response = client.get(reverse("desk:attachment", args=[svg.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_login_page_signs_an_operator_into_the_desk(client, front_operator):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'id="id_username"' in page.text and "Log out" not in page.text
    response = client.post(
        reverse("login"), {"username": "anna", "password": "password-for-tests", "next": reverse("desk:home")}
    )
    assert response.status_code == 302 and response.url == reverse("desk:home")
    assert client.get(response.url).status_code == 200
