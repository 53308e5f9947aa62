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
import json
import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tickets.errors import DomainError
from tickets.models import Citizen, Ticket
from tickets.services import NewAttachment
from tickets.uploads import (
    UploadRejected,
    UploadTooLarge,
    format_size,
    max_upload_bytes,
    safe_filename,
    validate_upload,
)

from ..attachment_policy import screen
from ..base import ChannelAdapter, InboundItem, InvalidInput, ParseResult
from ..numbers import to_e164

logger = logging.getLogger(__name__)

CHANNEL = "web"
MAX_FILES = 10
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


class AttachmentRejected(UploadRejected):
    """The upload policy's refusal, as the portal form shows it (on the attachments field)."""

    status, code = 422, "attachment_rejected"


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


def check_attachments(files: Iterable) -> list[NewAttachment]:
    """Read every upload and apply the one upload policy; the first bad one stops the submission, nothing stored."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise AttachmentRejected(
            filename=safe_filename(getattr(files[MAX_FILES], "name", "")),
            why=_("at most %(count)d files can be sent") % {"count": MAX_FILES},
        )
    # Each file may be as large as the one limit; together, twice that (one request, one raw row).
    limit = 2 * max_upload_bytes()
    checked, total = [], 0
    for upload in files:
        name = getattr(upload, "name", "") or "allegato"
        payload = _read(upload)
        try:
            attachment = validate_upload(name, payload)
        except UploadTooLarge as err:
            why = _("it is larger than %(limit)s") % {"limit": err.params["limit"]}
            raise AttachmentRejected(filename=err.params["filename"], why=why) from err
        except UploadRejected as err:
            raise AttachmentRejected(**err.params) from err
        total += len(payload)
        if total > limit:
            raise AttachmentRejected(
                filename=attachment.filename,
                why=_("all files together are larger than %(limit)s") % {"limit": format_size(limit)},
            )
        checked.append(attachment)
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
        # Checked before storing, but a request stored under an older policy is read back under this one.
        screened = screen(attachments)
        attachments = screened.accepted
        language = form.get("language", "")
        if language not in settings.LANGUAGE_CODES:
            language = ""
        first, last = form.get("first_name", ""), form.get("last_name", "")
        text = "\n".join([form.get("text", ""), *screened.notes]).strip()
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
            "notices": screened.notices,
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
