"""Voicemail left on the PBX and mailed to the voicemail mailbox (Asterisk voicemail-to-email).

The mail comes from the PBX, not from the citizen: the citizen is the caller, identified by
the caller id (X-Asterisk-CallerID headers, else the "Name" <number> in the body or subject),
and the recording is the attachment. The ticket is due by the office's next working day
(tickets.services.NEXT_WORKING_DAY_CHANNELS).
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from tickets.services import NewAttachment

from ..base import InboundItem, ParseResult
from ..email_parsing import ParsedEmail
from .email import EmailAdapter, _header_block
from .twilio import fetch_twilio_recording, parse_twilio_recording

_QUOTED_CALLER_RE = re.compile(r'"([^"<>\n]{1,80})"\s*<\s*([+\d][\d\s().\-/]{3,30})\s*>')
_BARE_CALLER_RE = re.compile(r"\bfrom\s+(\+?\d[\d\s().\-/]{5,25}\d)\b", re.IGNORECASE)
_UNKNOWN_VALUES = {"", "unknown", "anonymous", "private", "restricted", "withheld", "<unknown>", "unavailable"}
_AUDIO_TYPES = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-wave": "audio/wav",
    "audio/x-gsm": "audio/x-gsm",
    "audio/gsm": "audio/x-gsm",
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
}
_AUDIO_EXTENSIONS = {"wav": "audio/wav", "gsm": "audio/x-gsm", "mp3": "audio/mpeg", "ogg": "audio/ogg"}
# What a voicemail box may still ignore: bounces, receipts and out-of-office replies. PBXs often
# mark their notifications "auto-generated" or "Precedence: bulk", which is the whole point here.
_IGNORED_IN_VOICEMAIL = ("bounce", "read receipt", "abuse report", "auto-submitted: auto-replied", "out-of-office")


def caller_e164(number: str, region: str | None = None) -> str:
    """A caller id as E.164, or "" when there is none. 390612345678 (country code without +) is understood."""
    value = (number or "").strip()
    if value.lower() in _UNKNOWN_VALUES:
        return ""
    digits = re.sub(r"[^\d+]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(digits.lstrip("+")) < 5:
        return ""  # an internal extension, not a phone number
    region = region or getattr(settings, "PHONENUMBER_DEFAULT_REGION", "IT")
    candidates = [digits] if digits.startswith("+") else [digits, "+" + digits]
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return ""


def _pbx_headers(raw: bytes) -> dict[str, str]:
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(_header_block(raw).lstrip(b"\xef\xbb\xbf"))
    except Exception:
        return {}
    wanted = ("x-asterisk-callerid", "x-asterisk-calleridname", "x-asterisk-vm-caller-id-num")
    found = {}
    for name in wanted:
        value = headers.get(name)
        if value is not None:
            found[name] = " ".join(str(value).split())
    return found


def find_caller(parsed: ParsedEmail, raw: bytes) -> tuple[str, str]:
    """(E.164 phone or "", caller name or "")."""
    headers = _pbx_headers(raw)
    body = f"{parsed.subject}\n{parsed.text}"
    quoted = _QUOTED_CALLER_RE.search(body)
    phone = caller_e164(headers.get("x-asterisk-callerid") or headers.get("x-asterisk-vm-caller-id-num") or "")
    name = ""
    if quoted:
        quoted_phone = caller_e164(quoted.group(2))
        if not phone or quoted_phone == phone:
            phone, name = quoted_phone, quoted.group(1).strip()
    if not phone:
        bare = _BARE_CALLER_RE.search(body)
        if bare:
            phone = caller_e164(bare.group(1))
    if not name:
        # The header name has non-ASCII letters stripped by Asterisk; the body has them right.
        name = headers.get("x-asterisk-calleridname", "")
        if name.lower() in _UNKNOWN_VALUES or re.fullmatch(r"[+\d\s().\-/]*", name):
            name = ""
    return phone, name[:150]


def _audio_type(attachment: NewAttachment) -> str:
    content_type = _AUDIO_TYPES.get(attachment.content_type.lower(), attachment.content_type)
    extension = attachment.filename.rsplit(".", 1)[-1].lower() if "." in attachment.filename else ""
    if not content_type.startswith("audio/") and extension in _AUDIO_EXTENSIONS:
        content_type = _AUDIO_EXTENSIONS[extension]
    return content_type


class VoicemailAdapter(EmailAdapter):
    channel = "voicemail"

    # Twilio recording webhooks share the channel: their stored input says source=twilio.
    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        if (metadata or {}).get("source") == "twilio":
            return parse_twilio_recording(raw, metadata)
        return super().parse(raw, metadata)

    def fetch_media(self, item: InboundItem) -> None:
        if item.extra.get("source") == "twilio":
            return fetch_twilio_recording(item)
        return super().fetch_media(item)

    def item_from(self, parsed: ParsedEmail, raw: bytes, metadata: dict) -> InboundItem:
        item = super().item_from(parsed, raw, metadata)
        phone, name = find_caller(parsed, raw)
        caller = name or phone or _("an unknown caller")
        if name and phone:
            caller = f"{name} ({phone})"
        item.subject = (_("Voicemail from %(caller)s") % {"caller": caller})[:255]
        item.email = ""  # the PBX wrote the mail; the citizen is the caller
        item.phone = phone
        item.sender_name = name
        item.in_reply_to = []
        item.attachments = [
            NewAttachment(
                filename=a.filename,
                content_type=_audio_type(a),
                payload=a.payload,
                content_id=a.content_id,
                inline=a.inline,
            )
            for a in item.attachments
        ]
        reason = item.ignore_reason
        if reason and not reason.startswith(_IGNORED_IN_VOICEMAIL) and "mail loop" not in reason:
            item.ignore_reason = ""
        item.extra["pbx_subject"] = parsed.subject
        return item
