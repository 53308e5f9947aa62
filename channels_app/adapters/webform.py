"""The portal's request form: same pipeline as every channel, processed inline so the citizen
gets the reference on the confirmation page.

The portal calls `submit_web_request(data=..., files=..., client_ip=...)`. Attachments are checked
on their bytes before anything is stored; the request is then stored raw (JSON, files in base64)
and ingested at once. If ingestion fails the raw request stays, quarantined, for an operator.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tickets.errors import DomainError
from tickets.models import Citizen, Ticket
from tickets.services import NewAttachment
from tickets.uploads import safe_filename

from ..base import ChannelAdapter, InboundItem, InvalidInput, ParseResult
from ..numbers import to_e164

logger = logging.getLogger(__name__)

CHANNEL = "web"
DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_FILES = 10

# What a citizen may upload, recognised by the bytes (filetype), never by the name.
ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/tiff",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
}
EXECUTABLE_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-mach-binary",
    "application/wasm",
    "application/x-shockwave-flash",
    "application/x-google-chrome-extension",
    "application/x-deb",
    "application/x-rpm",
}
ZIP_BASED_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}
MAX_ARCHIVE_MEMBERS = 1000
MAX_ARCHIVE_RATIO = 100  # expanded / compressed size; real documents stay far below
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "topic",
    "subject",
    "text",
    "nationality",
    "kind",
)


class AttachmentRejected(DomainError):
    status, code = 422, "attachment_rejected"
    template = _("The file “%(filename)s” cannot be accepted: %(reason)s")


class WebRequestNotProcessed(DomainError):
    status, code = 503, "request_not_processed"
    template = _(
        "Your request was received but could not be registered right now. "
        "It has been kept and an operator will register it; please do not send it again."
    )


def _read(upload) -> bytes:
    if hasattr(upload, "chunks"):
        return b"".join(upload.chunks())
    return upload.read()


def _looks_like_text(payload: bytes) -> bool:
    if b"\x00" in payload[:65536]:
        return False
    try:
        payload[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut at the sniffing boundary is still text.
        if exc.start < 65536 - 4:
            return False
    return True


def _archive_is_sane(payload: bytes) -> bool:
    """Office documents are ZIP files: refuse damaged ones and archive bombs before storing them."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    expanded = sum(member.file_size for member in members)
    return len(members) <= MAX_ARCHIVE_MEMBERS and expanded <= MAX_ARCHIVE_RATIO * max(len(payload), 1)


def sniff_attachment(filename: str, payload: bytes) -> str:
    """The checked content type of an uploaded file, or AttachmentRejected with the reason."""
    limit = getattr(settings, "SPORTELLO_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    if len(payload) > limit:
        raise AttachmentRejected(
            filename=filename, reason=_("it is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    if not payload:
        raise AttachmentRejected(filename=filename, reason=_("it is empty."))
    kind = filetype.guess(payload)
    if kind is not None and kind.mime in EXECUTABLE_TYPES:
        raise AttachmentRejected(
            filename=filename,
            reason=_("it is a program (%(type)s), whatever its name says; programs are never accepted.")
            % {"type": kind.extension},
        )
    mime = kind.mime if kind is not None else ("text/plain" if _looks_like_text(payload) else "")
    if mime in ZIP_BASED_TYPES and not _archive_is_sane(payload):
        raise AttachmentRejected(
            filename=filename, reason=_("the document is damaged or expands to an excessive size.")
        )
    if mime not in ALLOWED_TYPES:
        raise AttachmentRejected(
            filename=filename,
            reason=_("this type of file (%(type)s) is not accepted. Send PDF, images, Word, OpenDocument or text.")
            % {"type": kind.extension if kind else _("unknown")},
        )
    return mime


def check_attachments(files: Iterable) -> list[NewAttachment]:
    """Read and check every upload; the first bad one stops the whole submission, nothing stored."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise AttachmentRejected(
            filename=safe_filename(getattr(files[MAX_FILES], "name", "")),
            reason=_("at most %(count)d files can be sent.") % {"count": MAX_FILES},
        )
    limit = getattr(settings, "SPORTELLO_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    checked, total = [], 0
    for upload in files:
        name = safe_filename(getattr(upload, "name", "") or "allegato")
        payload = _read(upload)
        mime = sniff_attachment(name, payload)
        total += len(payload)
        if total > 2 * limit:
            raise AttachmentRejected(
                filename=name,
                reason=_("all files together are larger than %(limit)s.") % {"limit": filesizeformat(2 * limit)},
            )
        checked.append(NewAttachment(filename=name, content_type=mime, payload=payload))
    return checked


def encode_request(*, data: dict, attachments: list[NewAttachment]) -> bytes:
    """The raw form of a web request as stored in InboundMessage (stable, so double submits collapse)."""
    fields = {key: str(data.get(key) or "").strip() for key in TEXT_FIELDS}
    body = {
        "form": fields,
        "appointment": data.get("appointment") or None,
        # The day is part of the key: a double click collapses, the same text next week is a new request.
        "day": timezone.localdate().isoformat(),
        "files": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content_b64": base64.b64encode(a.payload).decode("ascii"),
            }
            for a in attachments
        ],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def submit_web_request(*, data: dict, files: list, client_ip: str = "") -> Ticket:
    """Store the portal request first, then register it inline; returns the ticket (its reference).

    Raises AttachmentRejected (422) before storing anything when a file is not acceptable, and
    WebRequestNotProcessed (503) when the request was kept but could not be registered.
    """
    from ..models import InboundMessage
    from ..pipeline import content_key, ingest_inbound, store_inbound

    attachments = check_attachments(files or [])
    raw = encode_request(data=data, attachments=attachments)
    inbound, _created = store_inbound(
        channel=CHANNEL,
        raw=raw,
        external_id=content_key(raw),
        source="portal",
        content_type="application/json",
        metadata={"client_ip": client_ip[:64]},
        enqueue=False,
    )
    try:
        ingest_inbound(inbound.pk)
    except Exception as exc:
        logger.exception("web request %s could not be processed", inbound.pk)
        raise WebRequestNotProcessed() from exc
    inbound = InboundMessage.objects.select_related("ticket").get(pk=inbound.pk)
    if inbound.state == InboundMessage.State.PROCESSED and inbound.ticket is not None:
        return inbound.ticket
    raise WebRequestNotProcessed()


class WebFormAdapter(ChannelAdapter):
    channel = CHANNEL

    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        try:
            body = json.loads(raw)
            form = body["form"]
            files = body.get("files") or []
            attachments = [
                NewAttachment(
                    filename=f["filename"],
                    content_type=f["content_type"],
                    payload=base64.b64decode(f["content_b64"], validate=True),
                )
                for f in files
            ]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise InvalidInput(f"web request is not readable: {exc}") from exc
        language = form.get("language", "")
        if language not in settings.LANGUAGE_CODES:
            language = ""
        first, last = form.get("first_name", ""), form.get("last_name", "")
        text = form.get("text", "")
        phone = to_e164(form.get("phone", ""))
        if form.get("phone") and not phone:
            # Keep what the citizen typed even when it is no valid number: the operator can call back.
            text = f"{text}\n\n[{form['phone']}]".strip()
        nationality = form.get("nationality", "").strip().upper()
        kind = form.get("kind", "")
        extra = {
            "first_name": first,
            "last_name": last,
            "topic": form.get("topic", ""),
            "nationality": nationality if nationality in countries else "",
            "kind": kind if kind in Citizen.Kind.values else "",
        }
        if body.get("appointment"):
            extra["appointment"] = body["appointment"]
        item = InboundItem(
            external_id="web:" + hashlib.sha256(raw).hexdigest(),
            text=text,
            subject=form.get("subject", ""),
            sender_name=f"{first} {last}".strip(),
            email=form.get("email", "").strip(),
            phone=phone,
            language=language,
            attachments=attachments,
            extra=extra,
        )
        if not (item.text or item.subject or item.attachments):
            raise InvalidInput("web request without subject, text or files")
        return ParseResult(items=[item])
