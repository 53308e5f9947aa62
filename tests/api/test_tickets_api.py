import hashlib
import io
import zipfile

import pytest

from api.models import ApiToken
from privacy.models import AccessLog
from tests.factories import CitizenFactory, open_test_ticket
from tickets.models import Attachment, Message, Ticket

from .conftest import bearer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_anonymous_gets_401_with_the_error_shape(api, ticket):
    response = api.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message"}


def test_bearer_token_lists_visible_tickets_and_logs_the_view(api, ticket, write_key, front_operator):
    response = api.get("/api/v1/tickets/", **bearer(write_key))
    assert response.status_code == 200
    body = response.json()
    assert [row["reference"] for row in body["results"]] == [ticket.reference]
    assert AccessLog.objects.filter(user=front_operator, ticket=ticket, via="api", action="list").exists()


def test_only_the_hash_of_the_key_is_stored(write_key):
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(write_key.encode()).hexdigest()
    assert write_key not in (token.key_hint, token.key_hash)


def test_revoked_token_is_refused(api, ticket, write_key):
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert api.get("/api/v1/tickets/", **bearer(write_key)).status_code == 401


def test_read_scope_cannot_write(api, ticket, read_key):
    assert api.get(f"/api/v1/tickets/{ticket.pk}/", **bearer(read_key)).status_code == 200
    response = api.post(f"/api/v1/tickets/{ticket.pk}/take/", {}, format="json", **bearer(read_key))
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_token_use_is_recorded(api, ticket, write_key):
    api.get("/api/v1/tickets/", **bearer(write_key))
    assert ApiToken.objects.get().last_used_at is not None


def test_cursor_pagination_walks_every_ticket_once(api, front_queue, write_key):
    tickets = [open_test_ticket(front_queue) for _ in range(5)]
    seen, url = [], "/api/v1/tickets/?page_size=2"
    while url:
        body = api.get(url, **bearer(write_key)).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(t.pk for t in tickets)
    assert len(seen) == len(set(seen))


def test_filters(api, front_queue, write_key, front_operator):
    first = open_test_ticket(front_queue, channel="phone")
    open_test_ticket(front_queue, channel="email")
    body = api.get("/api/v1/tickets/?channel=phone", **bearer(write_key)).json()
    assert [row["id"] for row in body["results"]] == [first.pk]
    body = api.get(f"/api/v1/tickets/?reference={first.reference.lower()}", **bearer(write_key)).json()
    assert [row["id"] for row in body["results"]] == [first.pk]


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_does_not_grow(api, front_queue, write_key, rows, django_assert_max_num_queries):
    for _ in range(rows):
        open_test_ticket(front_queue)
    # token, token last-used, queues of the operator, operator, tickets, access-log insert (+ savepoints)
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/tickets/", **bearer(write_key))
    assert len(response.json()["results"]) == rows


def test_ticket_of_another_tier_is_404_not_403(api, ticket, back_operator):
    _token, key = ApiToken.issue(name="x", user=back_operator, scope="write")
    response = api.get(f"/api/v1/tickets/{ticket.pk}/", **bearer(key))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.post(f"/api/v1/tickets/{ticket.pk}/take/", {}, format="json", **bearer(key)).status_code == 404


def test_retrieve_logs_access(api, ticket, write_key, front_operator):
    response = api.get(f"/api/v1/tickets/{ticket.pk}/", **bearer(write_key))
    assert response.json()["citizen_detail"]["email"] == "youssef@example.org"
    assert AccessLog.objects.filter(user=front_operator, ticket=ticket, action="view", via="api").count() == 1


def test_create_ticket_for_a_new_citizen(api, front_queue, write_key):
    response = api.post(
        "/api/v1/tickets/",
        {
            "channel": "phone",
            "subject": "Cittadinanza",
            "text": "Telefonata: chiede dei tempi",
            "queue": front_queue.pk,
            "citizen": {"first_name": "Ana", "phone": "333 123 4567"},
        },
        format="json",
        **bearer(write_key),
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert str(ticket.citizen.phone) == "+393331234567"
    assert ticket.events.filter(kind="created").count() == 1


def test_create_needs_a_citizen(api, front_queue, write_key):
    response = api.post("/api/v1/tickets/", {"channel": "phone", "text": "x"}, format="json", **bearer(write_key))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_transitions_use_the_services(api, ticket, write_key, back_queue):
    url = f"/api/v1/tickets/{ticket.pk}"
    assert api.post(f"{url}/take/", {}, format="json", **bearer(write_key)).json()["status"] == "open"
    reply = api.post(f"{url}/reply/", {"text": "Servono passaporto e foto."}, format="json", **bearer(write_key))
    assert reply.status_code == 201
    note = api.post(f"{url}/note/", {"text": "Chiamare lunedì"}, format="json", **bearer(write_key))
    assert note.json()["direction"] == "note"
    resolved = api.post(f"{url}/resolve/", {"outcome": "answered"}, format="json", **bearer(write_key))
    assert resolved.json()["status"] == "resolved"
    assert api.post(f"{url}/close/", {}, format="json", **bearer(write_key)).json()["status"] == "closed"
    reopened = api.post(f"{url}/reopen/", {"reason": "nuovo documento"}, format="json", **bearer(write_key))
    assert reopened.json()["status"] == "reopened"
    kinds = list(Ticket.objects.get(pk=ticket.pk).events.values_list("kind", flat=True))
    assert kinds == ["created", "taken", "replied", "note", "resolved", "closed", "reopened"]


def test_escalate_needs_a_reason_422_and_then_moves_to_back_office(api, ticket, write_key):
    url = f"/api/v1/tickets/{ticket.pk}/escalate/"
    response = api.post(url, {"reason": "   "}, format="json", **bearer(write_key))
    assert response.status_code == 422
    assert response.json() == {"code": "reason_required", "message": "Indica un motivo."} or (
        response.json()["code"] == "reason_required"
    )
    response = api.post(url, {"reason": "Questione giuridica"}, format="json", **bearer(write_key))
    assert response.status_code == 200
    assert response.json()["tier"] == "back"


def test_domain_errors_keep_their_status(api, ticket, write_key, front_operator_2):
    from tickets.services import take_ticket

    take_ticket(actor=front_operator_2, ticket_id=ticket.pk)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/take/", {}, format="json", **bearer(write_key))
    assert response.status_code == 409
    assert response.json()["code"] == "already_taken"
    assert "Bruno Verdi" in response.json()["message"]
    illegal = api.post(f"/api/v1/tickets/{ticket.pk}/reopen/", {}, format="json", **bearer(write_key))
    assert illegal.status_code == 422
    stale = api.post(
        f"/api/v1/tickets/{ticket.pk}/close/", {"expected_version": 1}, format="json", **bearer(write_key)
    )
    assert stale.status_code == 409


def test_messages_and_events(api, ticket, write_key):
    messages = api.get(f"/api/v1/tickets/{ticket.pk}/messages/", **bearer(write_key)).json()
    assert messages[0]["text"] == "Quali documenti servono?"
    events = api.get(f"/api/v1/tickets/{ticket.pk}/events/", **bearer(write_key)).json()
    assert events[0]["kind"] == "created"


def test_upload_and_download(api, ticket, write_key, front_operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ricevuta.pdf", PDF, content_type="application/octet-stream")
    response = api.post(f"/api/v1/tickets/{ticket.pk}/attachments/", {"file": upload}, **bearer(write_key))
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "application/pdf"
    download = api.get(response.json()["download_url"], **bearer(write_key))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF
    assert AccessLog.objects.filter(user=front_operator, ticket=ticket, action="download").exists()


@pytest.mark.parametrize(
    ("name", "payload", "status"),
    [
        ("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200, 422),  # a Windows program called .jpg
        ("documento.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 422),  # a PNG pretending to be a PDF
    ],
)
def test_upload_is_judged_on_its_bytes(api, ticket, write_key, name, payload, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/", {"file": SimpleUploadedFile(name, payload)}, **bearer(write_key)
    )
    assert response.status_code == status
    assert response.json()["code"] == "upload_rejected"
    assert not Attachment.objects.exists()


def test_zip_bomb_is_refused(api, ticket, write_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\x00" * (20 * 1024 * 1024))
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("documenti.zip", buffer.getvalue())},
        **bearer(write_key),
    )
    assert response.status_code == 422
    assert "excessive" in response.json()["message"] or response.json()["code"] == "upload_rejected"


def test_attachment_of_an_invisible_ticket_is_404(api, ticket, back_operator):
    from tickets.services import NewAttachment, store_attachments

    [attachment] = store_attachments(ticket, None, [NewAttachment("a.pdf", "application/pdf", PDF)])
    _token, key = ApiToken.issue(name="x", user=back_operator, scope="read")
    assert api.get(f"/api/v1/attachments/{attachment.pk}/download/", **bearer(key)).status_code == 404
    assert api.get(f"/api/v1/attachments/{attachment.pk}/", **bearer(key)).status_code == 404


def test_citizen_search_normalises_the_phone(api, ticket, write_key, front_operator):
    ticket.citizen.phone = "+393331112233"
    ticket.citizen.save()
    response = api.get("/api/v1/citizens/?phone=333%20111%202233", **bearer(write_key))
    assert [c["id"] for c in response.json()] == [ticket.citizen_id]
    assert AccessLog.objects.filter(citizen=ticket.citizen, action="list").exists()
    assert api.get("/api/v1/citizens/", **bearer(write_key)).status_code == 400


def test_citizen_search_hides_citizens_without_visible_tickets(api, ticket, write_key):
    stranger = CitizenFactory(email="altro@example.org")
    assert api.get("/api/v1/citizens/?email=altro@example.org", **bearer(write_key)).json() == []
    assert api.get(f"/api/v1/citizens/{stranger.pk}/", **bearer(write_key)).status_code == 404


def test_citizen_with_history(api, ticket, write_key, front_operator):
    body = api.get(f"/api/v1/citizens/{ticket.citizen_id}/", **bearer(write_key)).json()
    assert [t["reference"] for t in body["tickets"]] == [ticket.reference]
    assert AccessLog.objects.filter(citizen=ticket.citizen, action="view", via="api").exists()


def test_queues_and_stats(api, ticket, write_key, front_queue):
    assert [q["id"] for q in api.get("/api/v1/queues/", **bearer(write_key)).json()] == [front_queue.pk]
    stats = api.get("/api/v1/stats/", **bearer(write_key)).json()
    assert stats["total"] == 1
    assert stats["by_queue_and_status"] == [
        {"queue": front_queue.pk, "queue_name": front_queue.name, "status": "new", "count": 1}
    ]
    assert stats["by_channel"] == {"email": 1}


def test_throttle_per_token(api, ticket, write_key, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SPORTELLO_API_THROTTLE_RATES = {"token": "3/minute", "ip": "100/minute"}
    codes = [api.get("/api/v1/queues/", **bearer(write_key)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api.get("/api/v1/queues/", **bearer(write_key)).json()["code"] == "throttled"
    cache.clear()


def test_throttle_per_ip(api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SPORTELLO_API_THROTTLE_RATES = {"token": "100/minute", "ip": "2/minute"}
    codes = [api.get("/api/v1/queues/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    cache.clear()


def test_session_login_works_for_the_browser(client, ticket, front_operator):
    client.force_login(front_operator)
    assert client.get("/api/v1/tickets/").status_code == 200


def test_schema_and_docs_page(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    take = paths["/api/v1/tickets/{id}/take/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422", "429"} <= set(take)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content


def test_internal_notes_are_marked(api, ticket, write_key):
    api.post(f"/api/v1/tickets/{ticket.pk}/note/", {"text": "interno"}, format="json", **bearer(write_key))
    assert Message.objects.filter(ticket=ticket, direction="note").count() == 1


def test_unknown_api_paths_answer_json_404(api, write_key):
    for path in ("/api/v1/nothing/", "/api/v1/tickets/abc/", "/api/v1/tickets/%0A/take/"):
        response = api.post(path, {}, format="json", **bearer(write_key))
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_api_catch_all_leaves_the_cti_endpoint_alone():
    from django.urls import resolve

    from api.views import api_not_found

    assert resolve("/api/v1/cti/some-token").func is not api_not_found


def test_admin_issues_a_token_and_shows_the_key_once(client, supervisor, front_operator):
    from django.contrib.messages import get_messages

    from tests.conftest import login_verified

    supervisor.is_staff = supervisor.is_superuser = True
    supervisor.save()
    login_verified(client, supervisor)
    response = client.post(
        "/admin/api/apitoken/add/", {"name": "protocollo", "user": front_operator.pk, "scope": "write"}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(name="protocollo")
    [message] = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    key = message.rsplit(" ", 1)[1]
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert token.created_by == supervisor
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_list_with_topics_does_not_query_per_row(api, front_queue, write_key, django_assert_max_num_queries):
    from tickets.models import Topic

    topics = list(Topic.objects.all()[:3])
    for index in range(12):
        open_test_ticket(front_queue, topic=topics[index % len(topics)])
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/tickets/", **bearer(write_key))
    assert all(row["topic_name"] for row in response.json()["results"])
