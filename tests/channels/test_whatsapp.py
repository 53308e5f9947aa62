"""WhatsApp Cloud API webhook: signed bodies from the corpus through the real pipeline."""

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from channels_app.base import ChannelUnavailable
from channels_app.models import InboundMessage
from channels_app.pipeline import ingest_inbound
from tickets.models import Attachment, Citizen, Message, Ticket
from tickets.services import open_ticket

from ..factories import QueueFactory
from ..fakes.graph import APP_SECRET, VERIFY_TOKEN

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "whatsapp"
if not CORPUS.is_dir():  # the corpus sits next to the checkout
    CORPUS = Path("/work/shared/corpus/whatsapp")
FILES = sorted(CORPUS.glob("*.json"))
URL = "/webhooks/whatsapp/"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"
OGG = b"OggS\x00\x02" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "english")]


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body: bytes, signature: str | None = None, capture=None):
    headers = {} if signature == "" else {"HTTP_X_HUB_SIGNATURE_256": signature or sign(body)}
    if capture is None:
        return client.post(URL, data=body, content_type="application/json", **headers)
    with capture(execute=True):
        return client.post(URL, data=body, content_type="application/json", **headers)


def webhook_body(
    message: dict, *, wa_id: str = "393331234567", name: str = "Amina Diallo", phone_number_id: str = "1122334455667"
) -> bytes:
    """A Cloud API webhook body carrying one message from one contact, as Meta sends it."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390612345678", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, **message}],
    }
    entry = {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def text_payload(text: str, *, wamid: str, wa_id: str = "393331234567", name: str = "Amina Diallo", ts=None) -> bytes:
    ts = int((ts or timezone.now()).timestamp())
    return webhook_body(
        {"id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": text}}, wa_id=wa_id, name=name
    )


def _messages_in(data: dict) -> list[dict]:
    return [
        m
        for entry in data["entry"]
        for change in entry["changes"]
        if change["field"] == "messages"
        for m in change["value"].get("messages", [])
    ]


def _statuses_in(data: dict) -> list[dict]:
    return [
        s
        for entry in data["entry"]
        for change in entry["changes"]
        if change["field"] == "messages"
        for s in change["value"].get("statuses", [])
    ]


# ----------------------------------------------------------------------------- handshake


def test_verification_handshake_echoes_the_challenge(client, graph):
    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_verification_with_wrong_token_is_refused(client, graph, params):
    assert client.get(URL, params).status_code == 403


# ----------------------------------------------------------------------------- the whole corpus


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_corpus_payload_is_stored_and_ingested(client, graph, path, django_capture_on_commit_callbacks):
    raw = path.read_bytes()
    data = json.loads(raw)
    for message in _messages_in(data):
        for kind in ("image", "document", "audio", "video", "sticker"):
            media = message.get(kind) or (message.get("edit", {}).get("message", {}).get(kind))
            if media and media.get("id"):
                payload = {"image": JPEG, "document": PDF, "audio": OGG, "video": MP4, "sticker": WEBP}[kind]
                graph.add_media(str(media["id"]), payload, media.get("mime_type", "application/octet-stream"))
    # Outbound messages the statuses refer to, so that receipts have something to update.
    # (The constructed batches reuse one placeholder wamid for a message and its receipts: in real
    # traffic receipts are for our messages only, so those receipts have nothing to update here.)
    inbound_ids = {m["id"] for m in _messages_in(data)}
    statuses = [s for s in _statuses_in(data) if s["id"] not in inbound_ids]
    if statuses:
        citizen = Citizen.objects.create(whatsapp_id="972987654321", phone="+972987654321")
        queue = QueueFactory()
        ticket = open_ticket(citizen=citizen, channel="whatsapp", queue=queue, text="Buongiorno")
        for wamid in {s["id"] for s in statuses}:
            Message.objects.create(
                ticket=ticket,
                direction=Message.Direction.OUTBOUND,
                channel="whatsapp",
                text="Risposta",
                external_id=wamid,
                delivery_status=Message.Delivery.SENT,
            )
    elif _messages_in(data):
        QueueFactory()

    response = post(client, raw, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    inbound = InboundMessage.objects.get(channel="whatsapp")
    assert bytes(inbound.raw) == raw  # kept verbatim
    assert inbound.state != InboundMessage.State.RECEIVED, inbound.error
    assert inbound.state != InboundMessage.State.QUARANTINED, inbound.error

    messages = _messages_in(data)
    fields = {c["field"] for e in data["entry"] for c in e["changes"]}
    if "messages" not in fields:
        assert inbound.state == InboundMessage.State.IGNORED
        assert inbound.error.startswith("not a message")
        assert not Ticket.objects.filter(channel="whatsapp", messages__direction="in").exists()
        return
    for message in messages:
        removed_reaction = message.get("type") == "reaction" and not message["reaction"].get("emoji")
        stored = Message.objects.filter(channel="whatsapp", external_id=message["id"], direction="in").first()
        if removed_reaction:
            assert stored is None
            assert inbound.state == InboundMessage.State.IGNORED
            continue
        assert stored is not None, f"message {message['id']} not ingested"
        assert stored.text.strip() or stored.attachments.exists()
        if message.get("type") in ("image", "document", "audio", "video", "sticker"):
            attachment = stored.attachments.get()
            assert attachment.size > 0
        if message.get("type") == "text":
            assert message["text"]["body"] in stored.text
        if message.get("type") not in ("text",) and not stored.attachments.exists():
            assert stored.text.startswith(("[", "Shared", "Order", "Location")) or message.get("type") in (
                "interactive",
                "button",
                "location",
            )
    for status in statuses:
        expected = {"played": "read"}.get(status["status"], status["status"])
        outbound = Message.objects.get(channel="whatsapp", external_id=status["id"], direction="out")
        order = ["sent", "delivered", "read"]
        if expected == "failed":
            assert outbound.delivery_status == "failed"
            assert "experiment" in outbound.delivery_error
        else:
            assert order.index(outbound.delivery_status) >= order.index(expected)


# ----------------------------------------------------------------------------- message types in detail


def _ingest_file(client, graph, name, capture):
    QueueFactory()
    raw = (CORPUS / name).read_bytes()
    assert post(client, raw, capture=capture).status_code == 200
    return Message.objects.filter(channel="whatsapp", direction="in").select_related("ticket__citizen").get()


def test_text_message_opens_a_ticket_for_the_whatsapp_citizen(client, graph, django_capture_on_commit_callbacks):
    message = _ingest_file(client, graph, "pywa-message-text.json", django_capture_on_commit_callbacks)
    citizen = message.ticket.citizen
    assert message.text == "Body Text"
    assert message.ticket.channel == "whatsapp"
    assert citizen.whatsapp_id == "972987654321"
    assert str(citizen.phone) == "+972987654321"
    assert citizen.first_name == "Test"
    assert message.external_id == "wamid.xyzxyz"


def test_location_becomes_text_with_coordinates_and_a_map_link(client, graph, django_capture_on_commit_callbacks):
    message = _ingest_file(client, graph, "pywa-message-chosen-location.json", django_capture_on_commit_callbacks)
    assert "Facebook HQ" in message.text
    assert "37.4611978, -122.2164385" in message.text
    assert "openstreetmap.org" in message.text


def test_contacts_become_names_and_phones(client, graph, django_capture_on_commit_callbacks):
    message = _ingest_file(client, graph, "pywa-message-contacts.json", django_capture_on_commit_callbacks)
    assert "Chandler Bing" in message.text and "+1 555-555-5555" in message.text
    assert "Rachel Green" in message.text


def test_list_reply_keeps_title_and_id(client, graph, django_capture_on_commit_callbacks):
    from channels_app.adapters.whatsapp import parse_webhook

    raw = (CORPUS / "pywa-callback-selection-description.json").read_bytes()
    item = parse_webhook(raw).items[0]
    assert item.extra["interactive_id"] == "callback_data"
    message = _ingest_file(
        client, graph, "pywa-callback-selection-description.json", django_capture_on_commit_callbacks
    )
    assert message.text == "title — description"


def test_unsupported_type_is_kept_saying_what_arrived(client, graph, django_capture_on_commit_callbacks):
    message = _ingest_file(
        client, graph, "pywa-message-unsupported-with-type.json", django_capture_on_commit_callbacks
    )
    assert "(pool)" in message.text
    assert "not supported" in message.text


def test_unknown_future_type_is_kept(graph):
    from channels_app.adapters.whatsapp import parse_webhook

    data = json.loads(text_payload("x", wamid="wamid.future"))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = "hologram"
    message["hologram"] = {"shape": "cube"}
    item = parse_webhook(json.dumps(data).encode()).items[0]
    assert "hologram" in item.text and "cube" in item.text


def test_document_is_downloaded_through_the_graph_api(client, graph, django_capture_on_commit_callbacks):
    graph.add_media("1234567890987654321", PDF, "application/pdf")
    message = _ingest_file(client, graph, "pywa-message-document.json", django_capture_on_commit_callbacks)
    attachment = message.attachments.get()
    assert attachment.filename == "filename.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == PDF
    assert message.text == "[Forwarded] caption"
    lookups = [r for r in graph.state.requests if r.method == "GET"]
    assert [r.path for r in lookups] == ["/v21.0/1234567890987654321", "/download/1234567890987654321"]
    assert all(r.headers["Authorization"] == "Bearer test-access-token" for r in lookups)


def test_unknown_media_id_keeps_the_message_with_a_note(client, graph, django_capture_on_commit_callbacks):
    message = _ingest_file(client, graph, "pywa-message-image.json", django_capture_on_commit_callbacks)
    assert "media could not be downloaded" in message.text
    assert "does not exist" in message.text
    assert not Attachment.objects.exists()
    assert InboundMessage.objects.get().state == InboundMessage.State.PROCESSED


def test_graph_outage_leaves_the_input_for_a_retry(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    graph.add_media("65463453", JPEG, "image/jpeg")
    graph.state.media_failure = 503
    raw = (CORPUS / "pywa-message-image.json").read_bytes()
    response = post(client, raw)  # stored; the worker is not run yet
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    with pytest.raises(ChannelUnavailable):
        ingest_inbound(inbound.pk)
    inbound.refresh_from_db()
    assert inbound.state == InboundMessage.State.RECEIVED
    assert not Message.objects.exists()
    graph.state.media_failure = None  # Meta is back: the retry ingests it with the picture
    ingest_inbound(inbound.pk)
    message = Message.objects.get()
    assert message.attachments.get().file.read() == JPEG


# ----------------------------------------------------------------------------- signatures, replays, bad bodies


def test_forged_signature_is_refused_and_nothing_is_stored(client, graph):
    raw = text_payload("ciao", wamid="wamid.forged")
    assert post(client, raw, signature=sign(raw, "another-secret")).status_code == 403
    assert post(client, raw, signature="").status_code == 403
    assert post(client, raw, signature="sha256=").status_code == 403
    assert post(client, raw, signature=sign(raw).replace("sha256=", "sha1=")).status_code == 403
    tampered = raw.replace(b"ciao", b"CIAO")
    assert post(client, tampered, signature=sign(raw)).status_code == 403
    assert not InboundMessage.objects.exists()


def test_no_app_secret_configured_refuses_everything(client, graph, settings):
    settings.WHATSAPP_APP_SECRET = ""
    raw = text_payload("ciao", wamid="wamid.nosecret")
    assert post(client, raw, signature=sign(raw, "")).status_code == 403
    assert not InboundMessage.objects.exists()


def test_replayed_body_yields_one_message(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    raw = text_payload("Vorrei un appuntamento", wamid="wamid.replay")
    for _ in range(3):
        assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Message.objects.filter(external_id="wamid.replay").count() == 1


def test_same_message_in_a_different_body_is_not_duplicated(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    first = text_payload("Vorrei un appuntamento", wamid="wamid.same")
    # Meta's retry of the same event can be re-serialised differently: the wamid still dedupes it.
    second = json.dumps(json.loads(first), indent=1).encode()
    for raw in (first, second):
        assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    assert InboundMessage.objects.count() == 2
    assert Message.objects.filter(external_id="wamid.same").count() == 1


def test_signed_but_malformed_body_is_kept_and_quarantined(client, graph, django_capture_on_commit_callbacks):
    raw = b'{"object": "whatsapp_business_account", "entry": [{"changes": [ broken'
    assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.QUARANTINED
    assert "not JSON" in inbound.error
    assert bytes(inbound.raw) == raw


def test_unknown_field_gets_200_and_is_ignored(client, graph, django_capture_on_commit_callbacks):
    raw = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "security", "value": {}}]}],
        }
    ).encode()
    assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.IGNORED
    assert "security" in inbound.error


# ----------------------------------------------------------------------------- conversations


def test_one_number_is_one_citizen_and_threads_within_seven_days(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    now = timezone.now()
    post(
        client,
        text_payload("Primo messaggio", wamid="wamid.1", ts=now - timedelta(days=6)),
        capture=django_capture_on_commit_callbacks,
    )
    post(client, text_payload("Secondo", wamid="wamid.2", ts=now), capture=django_capture_on_commit_callbacks)
    assert Citizen.objects.filter(whatsapp_id="393331234567").count() == 1
    ticket = Ticket.objects.get()
    assert list(ticket.messages.filter(direction="in").values_list("text", flat=True)) == [
        "Primo messaggio",
        "Secondo",
    ]


def test_after_seven_days_a_new_ticket_is_opened(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    now = timezone.now()
    post(
        client,
        text_payload("Vecchio", wamid="wamid.old", ts=now - timedelta(days=8)),
        capture=django_capture_on_commit_callbacks,
    )
    post(client, text_payload("Nuovo", wamid="wamid.new", ts=now), capture=django_capture_on_commit_callbacks)
    assert Citizen.objects.count() == 1
    assert Ticket.objects.count() == 2
    assert {t.messages.get(direction="in").text for t in Ticket.objects.all()} == {"Vecchio", "Nuovo"}


def test_a_broken_message_does_not_hold_back_the_rest_of_the_batch(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    data = json.loads(text_payload("Messaggio buono", wamid="wamid.good"))
    value = data["entry"][0]["changes"][0]["value"]
    value["messages"].append({"from": "393331234567", "type": "text", "text": {"body": "senza id"}})
    raw = json.dumps(data).encode()
    assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.PROCESSED
    texts = list(Message.objects.filter(direction="in").order_by("pk").values_list("text", flat=True))
    assert texts[0] == "Messaggio buono"
    assert "could not be read" in texts[1] and "senza id" in texts[1]
    assert Ticket.objects.count() == 1  # the same citizen's conversation


def test_a_body_with_only_a_broken_message_is_quarantined(client, graph, django_capture_on_commit_callbacks):
    data = json.loads(text_payload("x", wamid="wamid.x"))
    del data["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    raw = json.dumps(data).encode()
    assert post(client, raw, capture=django_capture_on_commit_callbacks).status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.QUARANTINED
    assert "without id" in inbound.error
    assert not Message.objects.filter(direction="in").exists()


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("text", {"body": ""}, "[Empty WhatsApp message]"),
        ("unknown", {}, "does not deliver"),
        ("request_welcome", {}, "opened the WhatsApp chat"),
    ],
)
def test_edge_message_types_are_described(kind, body, expected):
    from channels_app.adapters.whatsapp import parse_webhook

    data = json.loads(text_payload("x", wamid="wamid.edge"))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = kind
    message.pop("text")
    if body:
        message[kind] = body
    item = parse_webhook(json.dumps(data).encode()).items[0]
    assert expected in item.text
    assert bool(item.ignore_reason) == (kind == "request_welcome")


def test_number_change_moves_the_citizen_to_the_new_number(client, graph, django_capture_on_commit_callbacks):
    QueueFactory()
    citizen = Citizen.objects.create(first_name="User", whatsapp_id="972987654321", phone="+972987654321")
    post(
        client,
        (CORPUS / "pywa-system-phone-number-change.json").read_bytes(),
        capture=django_capture_on_commit_callbacks,
    )
    citizen.refresh_from_db()
    assert citizen.whatsapp_id == "972912345678"
    assert str(citizen.phone) == "+972912345678"
    assert str(citizen.phone_alt) == "+972987654321"
    post(
        client,
        text_payload("Dal nuovo numero", wamid="wamid.newnumber", wa_id="972912345678"),
        capture=django_capture_on_commit_callbacks,
    )
    assert Citizen.objects.count() == 1  # the same citizen writing from the new number
    assert Message.objects.get(external_id="wamid.newnumber").ticket.citizen == citizen


def test_program_sent_as_a_pdf_document_is_withheld(client, graph, django_capture_on_commit_callbacks):
    from tickets.models import TicketEvent

    graph.add_media("1234567890987654321", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    message = _ingest_file(client, graph, "pywa-message-document.json", django_capture_on_commit_callbacks)
    assert not message.attachments.exists()
    assert "filename.pdf" in message.text and "program" in message.text
    assert TicketEvent.objects.filter(ticket=message.ticket, data__notice="attachment_quarantined").exists()
    assert InboundMessage.objects.get().state == InboundMessage.State.PROCESSED  # raw body kept
