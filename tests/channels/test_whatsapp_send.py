"""Replies on WhatsApp through the Graph API (a local fake server), and their delivery receipts."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.adapters.whatsapp import WhatsAppAdapter, WhatsAppSendError
from channels_app.base import ChannelUnavailable, OutboundMessage
from channels_app.models import InboundMessage
from channels_app.tasks import send_outbound_message
from tickets import services
from tickets.models import Citizen, Message, TicketEvent
from tickets.services import NewAttachment

from .test_whatsapp import post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "english")]

WA_ID = "393331234567"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def wa_ticket(front_queue):
    citizen = Citizen.objects.create(first_name="Amina", whatsapp_id=WA_ID, phone="+" + WA_ID, preferred_language="fr")
    return services.open_ticket(
        citizen=citizen,
        channel="whatsapp",
        queue=front_queue,
        text="Bonjour",
        external_id="wamid.in1",
        received_at=timezone.now() - timedelta(hours=2),
        language="fr",
    )


def reply(ticket, text="Ecco la risposta", **fields) -> Message:
    return Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel="whatsapp",
        text=text,
        delivery_status=Message.Delivery.PENDING,
        **fields,
    )


def test_reply_inside_the_window_is_a_text_message(graph, wa_ticket):
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)

    sent = graph.sent_messages()
    assert sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "type": "text",
            "text": {"preview_url": False, "body": "Ecco la risposta"},
        }
    ]
    request = graph.state.requests[-1]
    assert request.path == "/v21.0/1122334455667/messages"
    assert request.headers["Authorization"] == "Bearer test-access-token"
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.SENT
    assert message.external_id.startswith("wamid.fake")


def test_window_closed_sends_the_approved_template_with_the_reference(graph, wa_ticket, settings):
    settings.WHATSAPP_REPLY_TEMPLATE = "sportello_reply"
    Message.objects.filter(pk__in=wa_ticket.messages.values("pk")).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)

    (sent,) = graph.sent_messages()
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "sportello_reply"
    assert sent["template"]["language"] == {"code": "fr"}
    assert sent["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": wa_ticket.reference}]}
    ]
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.SENT


def test_document_is_uploaded_then_sent(graph, wa_ticket):
    adapter = WhatsAppAdapter()
    wamid = adapter.send(
        OutboundMessage(
            message_id=0,
            to="+" + WA_ID,
            text="In allegato il modulo",
            attachments=[NewAttachment("modulo.pdf", "application/pdf", PDF)],
            extra={"window_open": True},
        )
    )
    (upload,) = graph.uploads()
    assert upload.path == "/v21.0/1122334455667/media"
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert PDF in upload.body and b'name="messaging_product"' in upload.body and b"modulo.pdf" in upload.body
    text, document = graph.sent_messages()
    assert text["text"]["body"] == "In allegato il modulo"
    assert document["type"] == "document"
    assert document["document"]["filename"] == "modulo.pdf"
    assert document["document"]["id"].startswith("uploaded-")
    assert wamid.startswith("wamid.fake")


def test_interactive_list_is_sent_as_is(graph):
    interactive = {
        "type": "list",
        "body": {"text": "Scegli una procedura"},
        "action": {
            "button": "Procedure",
            "sections": [{"title": "Permessi", "rows": [{"id": "p1", "title": "Lavoro"}]}],
        },
    }
    WhatsAppAdapter().send(
        OutboundMessage(message_id=0, to=WA_ID, text="", extra={"interactive": interactive, "window_open": True})
    )
    (sent,) = graph.sent_messages()
    assert sent["type"] == "interactive"
    assert sent["interactive"] == interactive


def test_long_text_is_split_at_the_whatsapp_limit(graph):
    WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="a" * 5000, extra={"window_open": True}))
    assert [len(m["text"]["body"]) for m in graph.sent_messages()] == [4096, 904]


def test_server_error_means_try_again_later(graph):
    graph.state.message_failures.append((503, {"error": {"message": "Service temporarily unavailable", "code": 2}}))
    with pytest.raises(ChannelUnavailable):
        WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="x", extra={"window_open": True}))


def test_unreachable_graph_means_try_again_later(graph, settings):
    settings.WHATSAPP_GRAPH_URL = "http://127.0.0.1:9/v21.0"  # discard port: connection refused
    with pytest.raises(ChannelUnavailable):
        WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="x", extra={"window_open": True}))


def test_refused_message_fails_visibly_on_the_ticket(graph, wa_ticket):
    graph.state.message_failures.append(
        (
            400,
            {
                "error": {
                    "message": "(#131026) Message undeliverable",
                    "type": "OAuthException",
                    "code": 131026,
                    "error_data": {"details": "Recipient is not a valid WhatsApp user"},
                }
            },
        )
    )
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.FAILED
    assert "131026" in message.delivery_error and "not a valid WhatsApp user" in message.delivery_error
    event = TicketEvent.objects.get(ticket=wa_ticket, kind=TicketEvent.Kind.DELIVERY_FAILED)
    assert event.data["message_id"] == message.pk


def test_adapter_refuses_an_empty_reply(graph):
    with pytest.raises(WhatsAppSendError):
        WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="", extra={"window_open": True}))


# ----------------------------------------------------------------------------- delivery receipts


def status_payload(wamid: str, status: str, errors=None, delay: int = 0) -> bytes:
    ts = str(int(timezone.now().timestamp()) + delay)
    entry = {"id": wamid, "status": status, "timestamp": ts, "recipient_id": WA_ID}
    if errors:
        entry["errors"] = errors
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA",
                    "changes": [
                        {"field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [entry]}}
                    ],
                }
            ],
        }
    ).encode()


def test_receipts_move_the_delivery_status_forward(client, graph, wa_ticket, django_capture_on_commit_callbacks):
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)
    message.refresh_from_db()
    wamid = message.external_id
    steps = (("sent", "sent"), ("delivered", "delivered"), ("read", "read"), ("delivered", "read"))
    for delay, (status, expected) in enumerate(steps):
        body = status_payload(wamid, status, delay=delay)
        assert post(client, body, capture=django_capture_on_commit_callbacks).status_code == 200
        message.refresh_from_db()
        assert message.delivery_status == expected  # a late "delivered" never steps back from "read"
    assert InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).count() == 4


def test_failed_receipt_shows_the_error(client, graph, wa_ticket, django_capture_on_commit_callbacks):
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)
    message.refresh_from_db()
    errors = [
        {
            "code": 131047,
            "title": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
        }
    ]
    post(client, status_payload(message.external_id, "failed", errors), capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.FAILED
    assert "(131047) Re-engagement message: Message failed to send" in message.delivery_error
    assert TicketEvent.objects.filter(ticket=wa_ticket, kind=TicketEvent.Kind.DELIVERY_FAILED).exists()


def test_reply_fails_visibly_when_whatsapp_is_not_configured(settings, wa_ticket):
    settings.WHATSAPP_ACCESS_TOKEN = ""
    message = reply(wa_ticket)
    send_outbound_message.delay(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.FAILED
    assert "not configured" in message.delivery_error
    assert wa_ticket.events.filter(kind=TicketEvent.Kind.DELIVERY_FAILED).exists()


@pytest.fixture
def behind_a_proxy(graph, settings, monkeypatch):
    """The office reaches the Internet through a forward proxy (the fake Graph API plays it)."""
    from channels_app import http_client

    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", graph.base)
    settings.WHATSAPP_GRAPH_URL = "http://graph.example.invalid/v21.0"  # resolvable only by the proxy
    http_client._proxy.cache_clear()  # the environment is read once per host
    yield graph
    http_client._proxy.cache_clear()


def test_replies_go_through_the_proxy_the_environment_names(behind_a_proxy):
    wamid = WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="x", extra={"window_open": True}))
    assert wamid.startswith("wamid.fake")
    request = behind_a_proxy.state.requests[-1]
    assert request.path == "http://graph.example.invalid/v21.0/1122334455667/messages"  # the proxy's view
    assert request.headers["Authorization"] == "Bearer test-access-token"


def test_hosts_in_no_proxy_are_called_directly(behind_a_proxy, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "graph.example.invalid")
    with pytest.raises(ChannelUnavailable):  # called directly: that host does not exist
        WhatsAppAdapter().send(OutboundMessage(message_id=0, to=WA_ID, text="x", extra={"window_open": True}))
    assert behind_a_proxy.state.requests == []
