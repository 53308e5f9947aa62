"""Twilio voicemail webhook: signed callbacks, recordings fetched by the worker, transcriptions threaded."""

import base64
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from channels_app.adapters.twilio import twilio_signature
from channels_app.base import ChannelUnavailable
from channels_app.models import InboundMessage
from channels_app.pipeline import ingest_inbound
from tickets.models import Message, Ticket

from ..fakes.graph import TWILIO_TOKEN

CORPUS = Path("/work/shared/corpus/voicemail")
FORMS = sorted(CORPUS.glob("twilio-*.form"))
URL = "/webhooks/voicemail/"
FULL_URL = "http://testserver/webhooks/voicemail/"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00" + b"\x00" * 24
ROME = ZoneInfo("Europe/Rome")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "english")]


def sign(body: bytes, url: str = FULL_URL, token: str = TWILIO_TOKEN) -> str:
    return twilio_signature(url, parse_qsl(body.decode(), keep_blank_values=True), token)


def post(client, body: bytes, capture=None, signature: str | None = None):
    headers = {} if signature == "" else {"HTTP_X_TWILIO_SIGNATURE": signature or sign(body)}
    kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded", **headers}
    if capture is None:
        return client.post(URL, **kwargs)
    with capture(execute=True):
        return client.post(URL, **kwargs)


def recording_path(body: bytes) -> str:
    url = dict(parse_qsl(body.decode()))["RecordingUrl"]
    return url.replace("https://api.twilio.com/", "") + ".wav"


# ----------------------------------------------------------------------------- signatures


def test_documented_signature_examples():
    # The examples in Twilio's documentation (security / signature validation snippets).
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675310"),
        ("Digits", "1234"),
        ("From", "+14158675310"),
        ("To", "+18005551212"),
    ]
    assert twilio_signature(url, params, "12345") == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    older = [(k, v.replace("5310", "5309")) for k, v in params]
    assert twilio_signature(url, older, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_forged_or_missing_signature_is_refused(client, twilio_media):
    body = (CORPUS / "twilio-record-action-finishonkey-italy.form").read_bytes()
    assert post(client, body, signature=sign(body, token="wrong-token")).status_code == 403
    assert post(client, body, signature="").status_code == 403
    assert post(client, body, signature=sign(body, url="http://testserver/other/")).status_code == 403
    tampered = body.replace(b"%2B393471234567", b"%2B393470000000")
    assert post(client, tampered, signature=sign(body)).status_code == 403
    assert not InboundMessage.objects.exists()


def test_no_auth_token_configured_refuses_everything(client, twilio_media, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    body = (CORPUS / "twilio-record-action-hangup.form").read_bytes()
    assert post(client, body, signature=sign(body, token="")).status_code == 403


# ----------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("path", FORMS, ids=[p.name for p in FORMS])
def test_every_twilio_callback_is_stored_and_ingested(
    client, front_queue, twilio_media, path, django_capture_on_commit_callbacks
):
    body = path.read_bytes()
    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    twilio_media.add_file(recording_path(body), WAV, "audio/x-wav")

    response = post(client, body, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    inbound = InboundMessage.objects.get()
    assert inbound.channel == "voicemail"
    assert inbound.metadata["source"] == "twilio"
    assert inbound.external_id.startswith(fields["RecordingSid"])
    assert bytes(inbound.raw) == body
    if fields.get("RecordingStatus") == "absent":
        assert inbound.state == InboundMessage.State.IGNORED
        assert "empty voicemail" in inbound.error
        assert not Ticket.objects.exists()
        return
    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    ticket = Ticket.objects.get()
    assert ticket.channel == "voicemail"
    message = ticket.messages.get(direction="in")
    assert message.external_id == fields["RecordingSid"]
    assert f"{fields['RecordingDuration']} seconds" in message.text
    attachment = message.attachments.get()
    assert attachment.content_type == "audio/wav"
    assert attachment.file.read() == WAV
    assert attachment.filename == f"{fields['RecordingSid']}.wav"
    phone = str(ticket.citizen.phone or "")
    if fields.get("From") == "+266696687":
        assert phone == ""
    elif fields.get("From"):
        assert phone == fields["From"]
    # Voicemail is due by the next working day's opening (Mon–Fri from 9:00 in the test office).
    due = timezone.localtime(ticket.due_at, ROME)
    assert due.time() == time(9) and due.weekday() < 5
    assert timedelta(0) < due - timezone.localtime(ticket.created_at, ROME) <= timedelta(days=4)


def test_recording_is_fetched_with_the_account_credentials(
    client, front_queue, twilio_media, django_capture_on_commit_callbacks
):
    body = (CORPUS / "twilio-record-action-finishonkey-italy.form").read_bytes()
    path = twilio_media.add_file(recording_path(body), WAV, "audio/x-wav")
    post(client, body, capture=django_capture_on_commit_callbacks)
    (download,) = [r for r in twilio_media.state.requests if r.path.endswith(".wav")]
    assert path.endswith(download.path)
    expected = base64.b64encode(f"AC3f2a8c4e9b1d7a6f5e0c2b4d8a1e9f37:{TWILIO_TOKEN}".encode()).decode()
    assert download.headers["Authorization"] == f"Basic {expected}"
    assert str(Ticket.objects.get().citizen.phone) == "+393471234567"


def test_action_and_status_callbacks_of_one_recording_make_one_voicemail(
    client, front_queue, twilio_media, django_capture_on_commit_callbacks
):
    action = (CORPUS / "twilio-record-action-hangup.form").read_bytes()
    status = (CORPUS / "twilio-recording-status-completed.form").read_bytes()  # same RecordingSid
    twilio_media.add_file(recording_path(action), WAV, "audio/x-wav")
    for body in (action, status, action):  # Twilio retries too
        assert post(client, body, capture=django_capture_on_commit_callbacks).status_code == 200
    assert InboundMessage.objects.count() == 2
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 1
    assert str(Ticket.objects.get().citizen.phone) == "+14155551212"


def test_transcription_threads_onto_the_recording(
    client, front_queue, twilio_media, django_capture_on_commit_callbacks
):
    action = (CORPUS / "twilio-record-action-finishonkey-italy.form").read_bytes()
    twilio_media.add_file(recording_path(action), WAV, "audio/x-wav")
    post(client, action, capture=django_capture_on_commit_callbacks)
    fields = dict(parse_qsl(action.decode(), keep_blank_values=True))
    transcription = urlencode(
        {
            "AccountSid": fields["AccountSid"],
            "CallSid": fields["CallSid"],
            "RecordingSid": fields["RecordingSid"],
            "RecordingUrl": fields["RecordingUrl"],
            "TranscriptionSid": "TR0123456789abcdef0123456789abcdef",
            "TranscriptionText": "Buongiorno, chiamo per il rinnovo del permesso di soggiorno.",
            "TranscriptionStatus": "completed",
            "From": fields["From"],
        }
    ).encode()
    assert post(client, transcription, capture=django_capture_on_commit_callbacks).status_code == 200
    ticket = Ticket.objects.get()
    texts = list(ticket.messages.filter(direction="in").values_list("text", flat=True))
    assert len(texts) == 2
    assert "rinnovo del permesso di soggiorno" in texts[1]


def test_recording_gone_for_good_keeps_the_voicemail_with_a_note(client, front_queue, twilio_media):
    body = (CORPUS / "twilio-record-action-hangup.form").read_bytes()
    post(client, body)
    inbound = InboundMessage.objects.get()
    # Older than the grace period: Twilio's 404 is final.
    InboundMessage.objects.filter(pk=inbound.pk).update(
        metadata={**inbound.metadata, "received_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    )
    ingest_inbound(inbound.pk)
    message = Message.objects.get(direction="in")
    assert "could not be downloaded: HTTP 404" in message.text
    assert not message.attachments.exists()


def test_recording_not_yet_available_or_twilio_down_is_retried(client, front_queue, twilio_media):
    body = (CORPUS / "twilio-record-action-hangup.form").read_bytes()
    post(client, body)
    inbound = InboundMessage.objects.get()
    with pytest.raises(ChannelUnavailable):
        ingest_inbound(inbound.pk)  # 404 right after the call: not there yet
    twilio_media.add_file(recording_path(body), 503)
    with pytest.raises(ChannelUnavailable):
        ingest_inbound(inbound.pk)
    inbound.refresh_from_db()
    assert inbound.state == InboundMessage.State.RECEIVED
    twilio_media.add_file(recording_path(body), WAV, "audio/x-wav")
    ingest_inbound(inbound.pk)
    assert Message.objects.get(direction="in").attachments.get().file.read() == WAV


def test_recording_url_outside_twilio_is_never_fetched(
    client, front_queue, twilio_media, django_capture_on_commit_callbacks
):
    body = urlencode(
        {
            "AccountSid": "AC1",
            "CallSid": "CA1",
            "RecordingSid": "RE1",
            "RecordingUrl": "http://169.254.169.254/latest/meta-data",
            "RecordingDuration": "5",
            "From": "+390612345678",
        }
    ).encode()
    post(client, body, capture=django_capture_on_commit_callbacks)
    message = Message.objects.get(direction="in")
    assert "not on api.twilio.com" in message.text
    assert not [r for r in twilio_media.state.requests if "meta-data" in r.path]


def test_callback_without_sids_is_kept_and_quarantined(client, twilio_media, django_capture_on_commit_callbacks):
    body = b"foo=bar"
    assert post(client, body, capture=django_capture_on_commit_callbacks).status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.QUARANTINED
    assert "RecordingSid" in inbound.error


def test_signature_made_for_the_public_https_url_behind_a_proxy(client, front_queue, twilio_media):
    body = (CORPUS / "twilio-record-action-hangup.form").read_bytes()
    for url in ("https://testserver/webhooks/voicemail/", "https://testserver:443/webhooks/voicemail/"):
        assert post(client, body, signature=sign(body, url=url)).status_code == 200
    assert (
        post(client, body, signature=sign(body, url="https://elsewhere.example/webhooks/voicemail/")).status_code
        == 403
    )
