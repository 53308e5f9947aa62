"""Twilio voicemail: <Record> action requests, recording-status and transcription callbacks.

The webhook (/webhooks/voicemail/) checks X-Twilio-Signature and stores the form body with
channel "voicemail" and metadata source=twilio; VoicemailAdapter hands such input to
parse_twilio_recording() and fetch_twilio_recording() here. One recording is one voicemail:
its callbacks share the RecordingSid, and a transcription arriving later threads onto it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tickets.services import NewAttachment

from .. import http_client
from ..attachment_policy import screen
from ..base import ChannelUnavailable, InboundItem, InvalidInput, ParseResult
from ..numbers import to_e164

SOURCE = "twilio"
# Twilio may answer 404 for a recording for a short while after the call: retry that long.
RECORDING_GRACE = timedelta(minutes=15)
EMPTY_RECORDING_STATUSES = {"absent", "failed", "deleted"}


# ----------------------------------------------------------------------------- signatures


def form_params(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True)


def twilio_signature(url: str, params: list[tuple[str, str]], token: str) -> str:
    """Twilio's documented scheme: base64(HMAC-SHA1(token, url + key1 + value1 + key2 + value2 …)), keys sorted."""
    data = url
    for key in sorted({k for k, _v in params}):
        for value in sorted(v for k, v in params if k == key):
            data += key + value
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as we see it, with/without the default port (Twilio's libraries differ on it), and as
    https when a TLS-terminating proxy hands us plain http (the token still has to match)."""
    candidates = [url]
    if url.startswith("http://"):
        candidates.append("https://" + url[len("http://") :])
    variants = []
    for candidate in candidates:
        parts = urlsplit(candidate)
        default = {"https": 443, "http": 80}.get(parts.scheme)
        host = parts.hostname or ""
        variants.append(candidate)
        if parts.port and parts.port == default:
            variants.append(parts._replace(netloc=host).geturl())
        elif parts.port is None and default:
            variants.append(parts._replace(netloc=f"{host}:{default}").geturl())
    return variants


def signature_ok(url: str, raw: bytes, header: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not header:
        return False
    params = form_params(raw)
    return any(
        hmac.compare_digest(twilio_signature(candidate, params, token).encode(), header.strip().encode())
        for candidate in _url_variants(url)
    )


def inbound_key(raw: bytes) -> str:
    """InboundMessage key: the recording (or call) and which callback this is, so a retry is a no-op
    while the transcription, sent separately for the same recording, is still stored."""
    fields = dict(form_params(raw))
    sid = fields.get("RecordingSid") or fields.get("CallSid") or ""
    if not sid:
        return ""
    return f"{sid}:{_kind(fields)}"


def _kind(fields: dict) -> str:
    if any(k in fields for k in ("TranscriptionText", "TranscriptionSid", "TranscriptionStatus")):
        return "transcription"
    if "RecordingStatus" in fields:
        return "status"
    return "recording"


# ----------------------------------------------------------------------------- parsing


def _duration(fields: dict) -> int:
    try:
        return max(0, int(fields.get("RecordingDuration") or 0))
    except ValueError:
        return 0


def parse_twilio_recording(raw: bytes, metadata: dict) -> ParseResult:
    """A Twilio callback body into one voicemail item (or an ignored empty recording)."""
    fields = dict(form_params(raw))
    recording_sid = fields.get("RecordingSid", "")
    sid = recording_sid or fields.get("CallSid", "")
    if not sid:
        raise InvalidInput("Twilio callback without RecordingSid or CallSid")
    kind = _kind(fields)
    status = fields.get("RecordingStatus", "").lower()
    if status in EMPTY_RECORDING_STATUSES:
        return ParseResult(ignored=f"empty voicemail (RecordingStatus={status})")
    phone = to_e164(fields.get("From") or fields.get("Caller") or "")
    received_at = None
    if metadata.get("received_at"):
        received_at = parse_datetime(metadata["received_at"])
    transcript = fields.get("TranscriptionText", "").strip()
    caller = phone or _("an unknown caller")
    item = InboundItem(
        external_id=sid,
        phone=phone,
        received_at=received_at,
        subject=(_("Voicemail from %(caller)s") % {"caller": caller})[:255],
        extra={"source": SOURCE, "call_sid": fields.get("CallSid", ""), "duration": _duration(fields)},
    )
    if kind == "transcription":
        if fields.get("TranscriptionStatus", "completed").lower() != "completed" or not transcript:
            return ParseResult(ignored=f"transcription {fields.get('TranscriptionStatus') or 'empty'} for {sid}")
        item.external_id = f"{sid}:transcription"
        item.in_reply_to = [sid]  # threads onto the recording's message
        item.text = _("Transcription of the voicemail: %(text)s") % {"text": transcript}
        return ParseResult(items=[item])
    # The transcription may have arrived first: then the recording threads onto it.
    item.in_reply_to = [f"{sid}:transcription"]
    duration = _duration(fields)
    lines = [_("Voicemail of %(seconds)d seconds from %(caller)s.") % {"seconds": duration, "caller": caller}]
    if transcript:
        lines.append(transcript)
    url = fields.get("RecordingUrl", "")
    if url:
        item.media.append(
            {
                "url": url,
                "account_sid": fields.get("AccountSid", ""),
                "filename": f"{recording_sid or sid}.wav",
                "received_at": metadata.get("received_at", ""),
            }
        )
    else:
        lines.append(_("[No recording was sent with this voicemail.]"))
    item.text = "\n".join(lines)
    return ParseResult(items=[item])


# ----------------------------------------------------------------------------- fetching


def _recording_url(url: str) -> str:
    """Where to download: .wav appended when Twilio gave no extension; only from Twilio's API host."""
    base = settings.TWILIO_API_URL.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname != "api.twilio.com":
        raise ValueError(f"recording URL {url!r} is not on api.twilio.com")
    url = base + parts.path
    last = parts.path.rsplit("/", 1)[-1]
    if "." not in last:
        url += ".wav"
    return url


def _younger_than_grace(media: dict) -> bool:
    received = parse_datetime(media.get("received_at") or "") if media.get("received_at") else None
    return isinstance(received, datetime) and timezone.now() - received < RECORDING_GRACE


def fetch_twilio_recording(item: InboundItem) -> None:
    notes: list[str] = []
    downloaded: list[NewAttachment] = []
    for media in item.media:
        try:
            url = _recording_url(media["url"])
        except ValueError as exc:
            notes.append(_("[The recording could not be downloaded: %(why)s]") % {"why": exc})
            continue
        headers = {}
        if media.get("account_sid"):  # HTTP basic auth with the account and its token, as Twilio asks
            credentials = f"{media['account_sid']}:{settings.TWILIO_AUTH_TOKEN}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        try:
            response = http_client.request("GET", url, headers=headers, timeout=settings.WHATSAPP_HTTP_TIMEOUT)
        except http_client.Unreachable as exc:
            raise ChannelUnavailable(f"Twilio unreachable: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ChannelUnavailable(f"Twilio answered HTTP {response.status_code}")
        if response.status_code == 404 and _younger_than_grace(media):
            raise ChannelUnavailable("the recording is not available yet")
        if response.status_code != 200 or not response.content:
            notes.append(
                _("[The recording could not be downloaded: HTTP %(status)s]") % {"status": response.status_code}
            )
            continue
        mp3 = url.lower().endswith(".mp3")
        filename = media.get("filename") or "voicemail.wav"
        if mp3:
            filename = filename.rsplit(".", 1)[0] + ".mp3"
        downloaded.append(
            NewAttachment(
                filename=filename, content_type="audio/mpeg" if mp3 else "audio/wav", payload=response.content
            )
        )
    screened = screen(downloaded)  # the same screening as every other channel's files
    item.attachments.extend(screened.accepted)
    notes.extend(screened.notes)
    item.extra.setdefault("notices", []).extend(screened.notices)
    if notes:
        item.text = "\n".join([item.text, *notes]).strip()
    item.media = []
