"""E-mail: RFC 822 bytes in (IMAP or a file), InboundItem out; replies out through Django's mail backend.

The raw message is keyed by its Message-ID. Real senders reuse Message-IDs for different
messages (templates, broken clients, test suites), so a second message with a known
Message-ID but a different body is stored under ``<id>#dup-<body hash>`` instead of being
taken for a redelivery: a redelivery has the same body, whatever its trace headers say.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tickets.services import NewAttachment

from .. import attachment_policy
from ..base import ChannelAdapter, ChannelUnavailable, InboundItem, InvalidInput, OutboundMessage, ParseResult
from ..email_parsing import EmailParseError, ParsedEmail, extract_reference, parse_email
from ..models import InboundMessage
from ..outbound_mail import compose

logger = logging.getLogger(__name__)

DUPLICATE_ID_MARK = "#dup-"
# The sender's Date header is trusted for the receipt time only within this window of now.
PLAUSIBLE_PAST = timedelta(days=60)
PLAUSIBLE_FUTURE = timedelta(hours=1)
_HEADER_END_RE = re.compile(rb"\r?\n\r?\n|\r\r")


def _header_block(raw: bytes) -> bytes:
    match = _HEADER_END_RE.search(raw)
    return raw[: match.start()] if match else raw


def _body(raw: bytes) -> bytes:
    match = _HEADER_END_RE.search(raw)
    return raw[match.end() :] if match else b""


def clean_message_id(value: str) -> str:
    value = " ".join((value or "").split())
    if "<" in value and ">" in value.split("<", 1)[1]:
        value = value.split("<", 1)[1].split(">", 1)[0]
    return value.strip().strip("<>").strip()[:230]


def message_id_of(raw: bytes) -> str:
    """The Message-ID from the header block, without parsing the body; "" when there is none."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(_header_block(raw).lstrip(b"\xef\xbb\xbf"))
        value = headers.get("Message-ID") or headers.get("Message-Id") or ""
        return clean_message_id(str(value))
    except Exception:  # a header block the stdlib cannot read still has a content key
        return ""


def body_digest(raw: bytes) -> str:
    return hashlib.sha256(_body(raw).replace(b"\r", b"")).hexdigest()


def message_key(raw: bytes) -> str:
    message_id = message_id_of(raw)
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def store_email(
    raw: bytes, *, channel: str = "email", source: str = "", metadata: dict | None = None, enqueue: bool = True
) -> tuple[InboundMessage, bool]:
    """Commit one raw e-mail (IMAP, file, test); a redelivery of a stored message is a no-op."""
    from ..pipeline import store_inbound

    key = message_key(raw)
    meta = {**(metadata or {}), "message_key": key}
    inbound, created = store_inbound(
        channel=channel, raw=raw, external_id=key, source=source, content_type="message/rfc822", metadata=meta,
        enqueue=enqueue,
    )  # fmt: skip
    if created or key.startswith("sha256:") or bytes(inbound.raw) == raw:
        return inbound, created
    digest = body_digest(raw)
    if body_digest(bytes(inbound.raw)) == digest:
        return inbound, False  # the same message again, through another route
    key = f"{key}{DUPLICATE_ID_MARK}{digest[:16]}"
    meta = {**meta, "message_key": key, "message_id_reused": True}
    return store_inbound(
        channel=channel, raw=raw, external_id=key, source=source, content_type="message/rfc822", metadata=meta,
        enqueue=enqueue,
    )  # fmt: skip


def _valid_address(address: str) -> str:
    address = (address or "").strip().strip("<>").lower()
    if not address or len(address) > 254:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _own_addresses() -> set[str]:
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    addresses.update(a.lower() for a in getattr(settings, "SPORTELLO_OWN_ADDRESSES", []))
    return {a for a in addresses if a}


def _received_at(parsed: ParsedEmail, metadata: dict) -> datetime | None:
    if metadata.get("received_at"):
        moment = parse_datetime(str(metadata["received_at"]))
        if moment is not None:
            return moment
    if parsed.date is not None:
        now = timezone.now()
        date = parsed.date if timezone.is_aware(parsed.date) else parsed.date.replace(tzinfo=UTC)
        if now - PLAUSIBLE_PAST <= date <= now + PLAUSIBLE_FUTURE:
            return date
    return None  # the pipeline uses the processing time


def _thread_ids(parsed: ParsedEmail) -> list[str]:
    ids: list[str] = []
    for value in [parsed.in_reply_to, *reversed(parsed.references or [])]:
        value = clean_message_id(value)
        if value and value not in ids:
            ids.append(value)
    return ids[:50]


def _sender_name(parsed: ParsedEmail) -> str:
    name = " ".join((parsed.from_name or "").split()).strip("'\" ")
    return "" if "@" in name else name[:200]


class EmailAdapter(ChannelAdapter):
    channel = "email"

    def parse_email(self, raw: bytes) -> ParsedEmail:
        try:
            return parse_email(raw)
        except EmailParseError as exc:
            raise InvalidInput(f"not a readable e-mail: {exc}") from exc

    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        parsed = self.parse_email(raw)
        return ParseResult(items=[self.item_from(parsed, raw, metadata or {})])

    def item_from(self, parsed: ParsedEmail, raw: bytes, metadata: dict) -> InboundItem:
        screened = attachment_policy.screen(
            [
                NewAttachment(
                    filename=a.filename,
                    content_type=a.content_type,
                    payload=a.payload,
                    content_id=a.content_id,
                    inline=a.inline,
                )
                for a in parsed.attachments
            ]
        )
        text = parsed.text or ""
        if screened.notes:
            text = (text.rstrip() + "\n\n" + "\n".join(screened.notes)).strip()
        if not (text.strip() or parsed.html or screened.accepted):
            # Keep a message anyway: it carries the sender and the Message-ID replies thread on.
            text = _("(The e-mail had no text.)")
        email = _valid_address(parsed.from_address) or _valid_address(parsed.reply_to)
        ignore = parsed.auto_reason
        if not ignore and email and email in _own_addresses():
            ignore = "sent by this contact center (mail loop)"
        return InboundItem(
            external_id=metadata.get("message_key") or clean_message_id(parsed.message_id) or message_key(raw),
            text=text,
            html=parsed.html or "",
            subject=" ".join((parsed.subject or "").split())[:255],
            sender_name=_sender_name(parsed),
            email=email,
            received_at=_received_at(parsed, metadata),
            attachments=screened.accepted,
            reference=extract_reference(parsed.subject or "") or "",
            in_reply_to=_thread_ids(parsed),
            ignore_reason=ignore,
            extra={"notices": screened.notices, "defects": list(parsed.defects)[:20]},
        )

    # ------------------------------------------------------------------ sending

    _connection = None  # the mail server connection of sending_several(), opened at its first send

    @contextmanager
    def sending_several(self) -> Iterator[None]:
        """One SMTP session for a batch's acknowledgements, not a connection (and TLS handshake) each."""
        self._connection = get_connection()
        try:
            yield
        finally:
            connection, self._connection = self._connection, None
            with suppress(smtplib.SMTPException, OSError):
                connection.close()

    @contextmanager
    def _session(self) -> Iterator:
        """The batch's open connection, or one for this message alone."""
        if self._connection is not None:
            self._connection.open()  # a no-op while the session is open
            yield self._connection
            return
        connection = get_connection()
        connection.open()
        try:
            yield connection
        finally:
            with suppress(smtplib.SMTPException, OSError):
                connection.close()

    def send(self, outbound: OutboundMessage) -> str:
        if not _valid_address(outbound.to):
            raise InvalidInput(f"not a valid e-mail address: {outbound.to!r}")
        subject = " ".join((outbound.subject or "").split())
        if outbound.reference and outbound.reference not in subject:
            subject = f"[{outbound.reference}] {subject}".strip()
        headers = dict(outbound.headers)
        message_id = headers.get("Message-ID") or outbound_message_id(outbound.reference, outbound.message_id, "")
        headers["Message-ID"] = message_id
        html = outbound.extra.get("html") or ""
        try:
            with self._session() as connection:
                smtp = connection.connection if isinstance(connection, SmtpBackend) else None
                composed = None
                if smtp is not None and not outbound.attachments:
                    smtp.ehlo_or_helo_if_needed()
                    composed = compose(
                        subject=subject, to=outbound.to, text=outbound.text, html=html, headers=headers,
                        eight_bit_ok=smtp.has_extn("8bitmime"),
                    )  # fmt: skip
                if composed is not None:
                    options = ["BODY=8BITMIME"] if composed.eight_bit else []
                    smtp.sendmail(composed.envelope_from, [outbound.to], composed.data, mail_options=options)
                else:
                    self._send_with_django(outbound, subject, headers, html, connection)
        except smtplib.SMTPRecipientsRefused as exc:
            raise InvalidInput(f"the mail server refused {outbound.to}: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise InvalidInput(f"the mail server refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise ChannelUnavailable(f"mail server: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # TimeoutError is an OSError
            if self._connection is not None:  # the next send of the batch opens a fresh session
                with suppress(smtplib.SMTPException, OSError):
                    self._connection.close()
            raise ChannelUnavailable(f"mail server unreachable: {exc}") from exc
        return clean_message_id(message_id)

    @staticmethod
    def _send_with_django(outbound: OutboundMessage, subject: str, headers: dict, html: str, connection) -> None:
        """Attachments, another mail backend (tests, console, file), or what outbound_mail leaves to Django."""
        email = EmailMultiAlternatives(
            subject=subject,
            body=outbound.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outbound.to],
            reply_to=[settings.SPORTELLO_REPLY_TO] if getattr(settings, "SPORTELLO_REPLY_TO", "") else None,
            headers=headers,
            connection=connection,
        )
        if html:
            email.attach_alternative(html, "text/html")
        for attachment in outbound.attachments:
            email.attach(attachment.filename, attachment.payload, attachment.content_type or None)
        email.send()


def mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rsplit("@", 1)[-1] if "@" in address else ""
    return domain or "sportello.invalid"


def outbound_message_id(reference: str, message_pk: int, stamp: str) -> str:
    """Deterministic, so a send retried after a crash carries the same Message-ID (receivers dedupe)."""
    token = hashlib.sha256(f"{settings.SECRET_KEY}:{message_pk}:{stamp}".encode()).hexdigest()[:12]
    return f"<{reference or 'msg'}.{message_pk}.{token}@{mail_domain()}>"
