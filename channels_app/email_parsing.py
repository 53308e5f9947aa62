"""Parse raw inbound e-mail into plain data: bytes in, dataclasses out; no database, no network.

Real mail is written by thousands of programs and many of them are wrong: lying or unknown
charsets, raw 8-bit headers, missing boundaries, junk before the headers, CR-only line endings.
The rule here is that nothing crashes and nothing is silently dropped: every repair is written
to ``ParsedEmail.defects`` so the quarantine view can say what was wrong, and the caller keeps
the raw bytes anyway.

The stdlib parser (``policy.default``) builds the MIME tree; header values are then read from
the raw source (``Message.raw_items``) and decoded here, because the policy's header classes
raise or return replacement characters on exactly the inputs this module must survive.
"""

from __future__ import annotations

import binascii
import codecs
import html
import io
import mimetypes
import quopri
import re
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from tickets.uploads import clean_filename

__all__ = ["EmailParseError", "ParsedAttachment", "ParsedEmail", "extract_reference", "parse_email"]

# Limits that keep one hostile message from stalling the ingestion worker.
MAX_DEPTH = 30  # MIME nesting; what lies deeper is kept unparsed, as an attachment
MAX_PARTS = 500  # MIME parts; the rest is kept unparsed, as an attachment
PARSE_BUDGET_SECONDS = 1.0
MAX_SUBJECT_CHARS = 998  # one RFC 5322 line; some senders fold 200 KB into a Subject
MAX_HTML_TO_TEXT_CHARS = 1_000_000
MAX_HTML_CHARS = 2_000_000
PREAMBLE_SCAN_LINES = 60

_REFERENCE_RE = re.compile(r"(?<![A-Za-z0-9])IST-(\d{4})-(\d{7})(?!\d)", re.IGNORECASE)


class EmailParseError(Exception):
    """The input is not an e-mail at all (empty, or no header block); the message says why."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    reply_to: str
    date: datetime | None
    in_reply_to: str
    references: list[str]
    text: str
    html: str
    attachments: list[ParsedAttachment]
    auto_reason: str
    defects: list[str]


def extract_reference(subject: str) -> str | None:
    """Return the first ticket reference (``IST-2026-0001234``) in a subject, upper-cased."""
    if not subject:
        return None
    match = _REFERENCE_RE.search(subject)
    if match is None:
        return None
    return f"IST-{match.group(1)}-{match.group(2)}"


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one RFC 5322 message. Raises only EmailParseError, and only for hopeless input."""
    defects: list[str] = []
    try:
        data, unparsed_tail = _prepare_bytes(raw, defects)
        return _parse_prepared(data, unparsed_tail, defects)
    except EmailParseError:
        raise
    except Exception as exc:  # a parser bug must not lose an inbound message
        defects.append(f"parser failure, fell back to a plain reading: {type(exc).__name__}: {exc}")
    try:
        return _parse_plainly(bytes(raw).replace(b"\r\n", b"\n").replace(b"\r", b"\n"), defects)
    except EmailParseError:
        raise
    except Exception as exc:
        raise EmailParseError(f"unreadable message: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Bytes-level repairs, before the stdlib parser sees the message.

_HEADER_LINE_RE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")  # the stdlib feedparser's notion of a header
_ENVELOPE_RE = re.compile(rb"^(MAIL FROM|RCPT TO|HELO|EHLO|DATA)\b", re.IGNORECASE)
_BOUNDARY_PARAM_RE = re.compile(rb'boundary\s*=\s*(?:"([^"\n]+)"|([^\s;"]+))', re.IGNORECASE)
_KNOWN_HEADERS = frozenset(
    {
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "received", "return-path",
        "mime-version", "content-type", "content-transfer-encoding", "sender", "reply-to",
        "delivered-to", "in-reply-to", "references", "user-agent", "x-mailer", "envelope-to",
        "x-original-to", "dkim-signature", "authentication-results", "list-id", "thread-topic",
        "thread-index", "importance", "auto-submitted", "precedence", "resent-from", "resent-date",
    }
)  # fmt: skip


def _prepare_bytes(raw: bytes, defects: list[str]) -> tuple[bytes, bytes]:
    """Repair what would mislead the parser; return the message and any tail cut off for safety."""
    if isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    if not isinstance(raw, bytes):
        raise EmailParseError(f"expected bytes, got {type(raw).__name__}")
    data = raw
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        defects.append("UTF-8 byte-order mark before the headers removed")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
        defects.append("message stored as UTF-16; converted to UTF-8")
    if not data.strip():
        raise EmailParseError("empty message")
    data = _normalise_line_endings(data, defects)
    data = _strip_preamble(data, defects)
    data = _repair_header_blocks(data, defects)
    return _limit_mime_shape(data, defects)


def _normalise_line_endings(data: bytes, defects: list[str]) -> bytes:
    crlf = data.count(b"\r\n")
    bare_cr = data.count(b"\r") - crlf
    bare_lf = data.count(b"\n") - crlf
    if bare_cr:
        defects.append("bare CR line endings normalised")
    elif crlf and bare_lf:
        defects.append("mixed CRLF/LF line endings normalised")
    if not crlf and not bare_cr:
        return data
    # Everything below works on LF only; "binary" transfer encoding would suffer, but it
    # cannot travel over SMTP without BINARYMIME and nobody sends it.
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _strip_preamble(data: bytes, defects: list[str]) -> bytes:
    """Drop an mbox "From " line, SMTP envelope lines or junk text before the header block."""
    lines = data.split(b"\n", PREAMBLE_SCAN_LINES)
    first_header = None
    for index, line in enumerate(lines[:PREAMBLE_SCAN_LINES]):
        if _HEADER_LINE_RE.match(line) and not _ENVELOPE_RE.match(line):
            first_header = index
            break
    if not first_header:
        return data
    dropped = lines[:first_header]
    meaningful = [line for line in dropped if line.strip()]
    if meaningful and meaningful[0].startswith(b"From ") and len(meaningful) == 1:
        pass  # an mbox separator: normal for stored mail, not a defect
    elif meaningful and all(_ENVELOPE_RE.match(line) or line.startswith(b"From ") for line in meaningful):
        defects.append("SMTP envelope lines before the headers removed")
    elif meaningful:
        defects.append(f"{len(dropped)} line(s) of text before the headers removed")
    return b"\n".join(lines[first_header:])


def _repair_header_blocks(data: bytes, defects: list[str]) -> bytes:
    """Fold stray lines inside header blocks and drop a blank line that split the top headers.

    Seen in the wild: a parameter continuation without leading whitespace, junk glued before a
    header name, and a blank line after the Subject that pushes Content-Type into the body.
    """
    boundaries = {(m.group(1) or m.group(2)) for m in _BOUNDARY_PARAM_RE.finditer(data)}
    delimiters = {b"--" + boundary.strip() for boundary in boundaries}
    lines = data.split(b"\n")
    folded = 0
    in_headers = True
    top_level = True
    saw_header = False
    top_has_content_type = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if in_headers:
            if not line:
                in_headers = False
                if top_level and not top_has_content_type and _is_mime_header_block(lines, index + 1):
                    del lines[index]
                    defects.append("blank line inside the header block removed (MIME headers followed it)")
                    in_headers = True
                    continue
                top_level = False
            elif _HEADER_LINE_RE.match(line) or line[:1] in (b" ", b"\t"):
                saw_header = True
                if top_level and line[:13].lower() == b"content-type:":
                    top_has_content_type = True
            elif saw_header and _header_follows(lines, index + 1):
                lines[index] = b" " + line
                folded += 1
            else:
                in_headers = False
                top_level = False
        elif line.startswith(b"--") and delimiters and line.rstrip() in delimiters:
            in_headers = True
            saw_header = False
        index += 1
    if folded:
        defects.append(f"{folded} malformed header line(s) folded into the previous header")
    return b"\n".join(lines)


_DELIMITER_LINE_RE = re.compile(rb"^--([^\n]*?)[ \t]*$", re.MULTILINE)


def _limit_mime_shape(data: bytes, defects: list[str]) -> tuple[bytes, bytes]:
    """Cut the message before the parser meets too many parts or too deep a nesting.

    The stdlib parser tests every line against every open boundary and builds a header object
    per part: 20,000 parts or 3,000 levels take many seconds. The raw message is kept by the
    caller, so cutting here loses nothing for good.
    """
    declared = {(match.group(1) or match.group(2)).strip() for match in _BOUNDARY_PARAM_RE.finditer(data)}
    if not declared:
        return data, b""
    stack: list[bytes] = []
    parts = 0
    for match in _DELIMITER_LINE_RE.finditer(data):
        token = match.group(1)
        closing = token.endswith(b"--") and token[:-2] in declared and token not in declared
        name = token[:-2] if closing else token
        if name not in declared:
            continue
        if name in stack:
            del stack[stack.index(name) + (0 if closing else 1) :]
        elif not closing:
            stack.append(name)
        if closing:
            continue
        parts += 1
        if parts > MAX_PARTS:
            defects.append(f"more than {MAX_PARTS} MIME parts; the rest is kept unparsed as an attachment")
            return data[: match.start()], data[match.start() :]
        if len(stack) > MAX_DEPTH:
            defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; the rest is kept unparsed as an attachment")
            return data[: match.start()], data[match.start() :]
    return data, b""


def _header_follows(lines: list[bytes], start: int) -> bool:
    for line in lines[start : start + 8]:
        if not line:
            return False
        if line[:1] in (b" ", b"\t"):
            continue
        return bool(_HEADER_LINE_RE.match(line))
    return False


def _is_mime_header_block(lines: list[bytes], start: int) -> bool:
    has_mime = False
    for line in lines[start : start + 200]:
        if not line:
            return has_mime
        if line[:1] in (b" ", b"\t"):
            continue
        if not _HEADER_LINE_RE.match(line):
            return False
        if line.split(b":", 1)[0].strip().lower() in (b"content-type", b"content-transfer-encoding"):
            has_mime = True
    return False


# --------------------------------------------------------------------------------------------
# Structure.


def _parse_prepared(data: bytes, unparsed_tail: bytes, defects: list[str]) -> ParsedEmail:
    message = _parse_structure(data, defects)
    header_names = {name.strip().lower() for name, _ in message.raw_items()}
    if not header_names & _KNOWN_HEADERS and not any(name.startswith(("x-", "content-")) for name in header_names):
        raise EmailParseError("no e-mail header found (not an RFC 5322 message)")

    charset_hint = _charset_hint(message)
    walk = _Walk(defects=defects, deadline=time.monotonic() + PARSE_BUDGET_SECONDS, charset_hint=charset_hint)
    content = walk.visit(message, depth=0, top=True)
    if walk.stopped_reason:
        defects.append(walk.stopped_reason)
    if unparsed_tail:
        content.attachments.append(
            _PendingAttachment("unparsed-mime-parts.txt", "text/plain", unparsed_tail, content_id="", disposition="")
        )

    html_sources = [source for source in content.htmls if source.strip()]
    referenced_cids = {cid.lower() for source in html_sources for cid in _CID_REF_RE.findall(source)}
    text = "\n\n".join(part for part in content.texts if part.strip())
    if not text.strip() and html_sources:
        text = _html_to_text("\n".join(html_sources), defects)
    sanitised_html = _sanitise_html("\n".join(html_sources), defects) if html_sources else ""

    attachments = []
    seen_payloads: set[tuple[str, str, bytes]] = set()
    for pending in content.attachments:
        key = (pending.filename, pending.content_type, pending.payload)
        if key in seen_payloads:
            continue  # the same file inside two alternatives of one message
        seen_payloads.add(key)
        cid = pending.content_id
        inline = bool(cid) and (
            cid.lower() in referenced_cids or (pending.related and pending.disposition != "attachment")
        )
        attachments.append(
            ParsedAttachment(
                filename=pending.filename,
                content_type=pending.content_type,
                payload=pending.payload,
                content_id=cid,
                inline=inline,
            )
        )

    headers = _Headers(message, defects, charset_hint)
    from_name, from_address = headers.first_address("from")
    parsed_subject = headers.subject()
    return ParsedEmail(
        message_id=headers.message_id("message-id"),
        subject=parsed_subject,
        from_name=from_name,
        from_address=from_address,
        to=headers.address_list("to"),
        cc=headers.address_list("cc"),
        reply_to=headers.first_address("reply-to")[1],
        date=headers.date(),
        in_reply_to=headers.message_id("in-reply-to"),
        references=headers.references(),
        text=_clean_body_text(text),
        html=sanitised_html,
        attachments=attachments,
        auto_reason=_detect_auto_reason(message, headers, parsed_subject, from_name, from_address),
        defects=_unique(defects),
    )


class _RememberingPolicy(policy.EmailPolicy):
    """policy.default, building each distinct header object once.

    The parser and the walk ask a part for its Content-Type (and others) again and again, and
    policy.default parses the raw value into a header object on every ask: most of the CPU of
    parsing a message. The objects are immutable, so the same (name, raw value) can share one,
    across the parts and the messages a worker reads.
    """

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        key = (name, value)
        header = _HEADER_OBJECTS.get(key)
        if header is None:
            header = super().header_fetch_parse(name, value)
            if len(_HEADER_OBJECTS) >= _HEADER_OBJECTS_MAX:
                _HEADER_OBJECTS.clear()
            _HEADER_OBJECTS[key] = header
        return header


_HEADER_OBJECTS: dict = {}
_HEADER_OBJECTS_MAX = 4096
_MODERN_POLICY = _RememberingPolicy()


def _parse_structure(data: bytes, defects: list[str]) -> Message:
    modern: Message | None = None
    try:
        modern = BytesParser(policy=_MODERN_POLICY).parsebytes(data)
    except Exception as exc:  # e.g. RecursionError on absurd nesting
        defects.append(f"standard MIME parser failed ({type(exc).__name__}); parsed leniently")
    if modern is not None and not _boundary_trouble(modern):
        return modern
    try:
        legacy = BytesParser(policy=policy.compat32).parsebytes(data)
    except Exception as exc:
        if modern is not None:
            return modern
        defects.append(f"lenient MIME parser failed too ({type(exc).__name__}); headers only")
        return BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)
    # policy.default cuts an unquoted boundary at "=" (boundary=----=_NextPart...), which
    # Outlook Express and friends send; compat32 reads the parameter as the sender meant it.
    if modern is None:
        return legacy
    if _boundary_trouble(legacy) < _boundary_trouble(modern):
        defects.append("boundary parameter not quoted as RFC 2045 requires; MIME structure re-read leniently")
        return legacy
    return modern


def _charset_hint(message: Message) -> str:
    """The first legacy (not UTF-8, not Latin-1) charset the message declares, to read raw 8-bit headers."""
    for seen, part in enumerate(message.walk()):
        if seen > 50:
            break
        codec = _lookup_codec(_params(part, "content-type").get("charset", ""))
        if codec and codec != "utf-8" and codec not in _LATIN_CODECS:
            return codec
    return ""


def _boundary_trouble(message: Message) -> int:
    count = 0
    for seen, part in enumerate(message.walk()):
        if seen > MAX_PARTS:
            break
        count += sum(
            isinstance(defect, email_errors.StartBoundaryNotFoundDefect | email_errors.NoBoundaryInMultipartDefect)
            for defect in part.defects
        )
    return count


@dataclass
class _PendingAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str
    disposition: str
    related: bool = False


@dataclass
class _Content:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[_PendingAttachment] = field(default_factory=list)

    def extend(self, other: _Content) -> None:
        self.texts.extend(other.texts)
        self.htmls.extend(other.htmls)
        self.attachments.extend(other.attachments)


_REPORT_PART_NAMES = {
    "message/delivery-status": "delivery-status.txt",
    "message/global-delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/global-disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "rfc822-headers.txt",
    "message/rfc822-headers": "rfc822-headers.txt",
    "message/global-headers": "rfc822-headers.txt",
}
_ENCLOSED_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global", "message/news"})
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_ALTERNATIVE_DUPLICATES = frozenset({"text/watch-html", "text/x-watch-html", "text/x-amp-html"})


@dataclass
class _Walk:
    defects: list[str]
    deadline: float
    charset_hint: str = ""
    parts: int = 0
    generated_names: int = 0
    stopped_reason: str = ""

    def visit(self, part: Message, *, depth: int, top: bool = False) -> _Content:
        content = _Content()
        if self.stopped_reason:
            return content
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.stopped_reason = f"more than {MAX_PARTS} MIME parts; the rest were not read"
            return content
        if time.monotonic() > self.deadline:
            self.stopped_reason = f"parsing took over {PARSE_BUDGET_SECONDS:g}s; the remaining parts were not read"
            return content

        ctype = _content_type(part)
        payload = part.get_payload()
        if isinstance(payload, list):
            maintype = ctype.split("/", 1)[0]
            if maintype == "message" or (maintype != "multipart" and _safe_maintype(part) == "message"):
                self._enclosed_message(part, ctype, payload, content, top=top)
            elif depth >= MAX_DEPTH:
                self.defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; kept as an attachment")
                self._attach(content, part, "multipart/mixed", _serialise(part), fallback="nested-parts.eml")
            else:
                self._multipart(part, ctype, payload, content, depth=depth)
            return content

        if ctype.startswith("multipart/"):
            self._multipart_without_parts(part, ctype, content, depth=depth)
            return content
        self._leaf(part, ctype, content, top=top)
        return content

    # -- multiparts ----------------------------------------------------------------------

    def _multipart(self, part: Message, ctype: str, children: list[Message], content: _Content, *, depth: int) -> None:
        subtype = ctype.split("/", 1)[1]
        if not children:
            return
        if subtype == "alternative":
            self._alternative(children, content, depth=depth)
        elif subtype == "related":
            self._related(part, children, content, depth=depth)
        elif subtype in ("signed", "report"):
            # First part is the message people read; the rest is a signature or machine report.
            content.extend(self.visit(children[0], depth=depth + 1))
            for child in children[1:]:
                self._attach_whole(child, content, depth=depth)
        elif subtype == "encrypted":
            self.defects.append("encrypted message: content kept as attachments, not readable here")
            for child in children:
                self._attach_whole(child, content, depth=depth)
        else:  # mixed, digest, parallel, and unknown subtypes read as mixed (RFC 2046)
            for child in children:
                content.extend(self.visit(child, depth=depth + 1))
        epilogue = part.epilogue
        if epilogue and "\n--" in epilogue and depth < MAX_DEPTH:
            # A nested part that reused its parent's boundary closes the parent early.
            recovered = _recover_multipart(epilogue.encode("utf-8", errors="surrogateescape"))
            if recovered is not None:
                self.defects.append("parts found after the closing boundary; recovered")
                content.extend(self.visit(recovered, depth=depth + 1))

    def _alternative(self, children: list[Message], content: _Content, *, depth: int) -> None:
        versions = []
        for child in children:
            if _content_type(child) in _ALTERNATIVE_DUPLICATES:
                continue
            versions.append(self.visit(child, depth=depth + 1))
        plain = next((version for version in versions if any(t.strip() for t in version.texts)), None)
        rich = next((version for version in reversed(versions) if any(h.strip() for h in version.htmls)), None)
        if plain is not None:
            content.texts.extend(plain.texts)
        if rich is not None:
            content.htmls.extend(rich.htmls)
        for version in versions:
            content.attachments.extend(version.attachments)

    def _related(self, part: Message, children: list[Message], content: _Content, *, depth: int) -> None:
        start = _normalise_cid(_params(part, "content-type").get("start", ""))
        root_index = 0
        if start:
            for index, child in enumerate(children):
                if _normalise_cid(_header_raw(child, "content-id")) == start:
                    root_index = index
                    break
        for index, child in enumerate(children):
            child_content = self.visit(child, depth=depth + 1)
            if index == root_index:
                content.extend(child_content)
                continue
            # Non-root parts are resources of the root (inline images); a stray text part
            # is still kept, as an attachment.
            for leftover in child_content.texts:
                self._attach_text(content, leftover, "text/plain")
            for leftover in child_content.htmls:
                self._attach_text(content, leftover, "text/html")
            for attachment in child_content.attachments:
                attachment.related = True
                content.attachments.append(attachment)

    def _multipart_without_parts(self, part: Message, ctype: str, content: _Content, *, depth: int) -> None:
        body = _raw_payload(part)
        recovered = _recover_multipart(body)
        if recovered is not None and depth < MAX_DEPTH:
            self.defects.append(f"{ctype} with a wrong or missing boundary; parts recovered from the body")
            content.extend(self.visit(recovered, depth=depth + 1))
            return
        if body.strip():
            self.defects.append(f"{ctype} without usable boundary; body read as text")
            text = _decode_text(body, "", self.defects, label="body")
            if _looks_like_html(text):
                content.htmls.append(text)
            else:
                content.texts.append(text)

    # -- message/* -----------------------------------------------------------------------

    def _enclosed_message(
        self, part: Message, ctype: str, payload: list[Message], content: _Content, *, top: bool
    ) -> None:
        raw = b"".join(_serialise(sub) for sub in payload)
        cte = _transfer_encoding(part)
        if cte in ("base64", "quoted-printable", "x-uuencode"):
            # Not allowed by RFC 2046, still sent: the parser read encoded text as a message.
            raw = _decode_transfer(_strip_leading_blank_line(raw), cte, self.defects, "enclosed message")
        if ctype in _ENCLOSED_MESSAGE_TYPES or ctype == "message/partial" or ctype not in _REPORT_PART_NAMES:
            if ctype == "message/partial":
                self.defects.append("message/partial fragment: kept as an attachment, cannot be reassembled")
            self._attach(content, part, ctype, raw, fallback="forwarded-message.eml")
            return
        if top:
            # A report with no multipart/report around it (seen from broken MTAs): its text is the body.
            content.texts.append(_decode_text(raw, "", self.defects, label="report"))
            return
        self._attach(content, part, ctype, raw, fallback=_REPORT_PART_NAMES[ctype])

    def _attach_whole(self, child: Message, content: _Content, *, depth: int) -> None:
        """Keep a part as attachment(s) even if it is text (signature, report, encrypted data)."""
        child_content = self.visit(child, depth=depth + 1)
        for text in child_content.texts:
            self._attach_text(content, text, _content_type(child) if not child.is_multipart() else "text/plain")
        for source in child_content.htmls:
            self._attach_text(content, source, "text/html")
        content.attachments.extend(child_content.attachments)

    # -- leaves ----------------------------------------------------------------------------

    def _leaf(self, part: Message, ctype: str, content: _Content, *, top: bool) -> None:
        params = _params(part, "content-disposition", self.charset_hint)
        disposition = _disposition(part)
        filename = _filename(part, params, self.charset_hint)
        label = f"part {filename or ctype}"
        cte = _transfer_encoding(part)
        payload = _decode_transfer(_raw_payload(part), cte, self.defects, label)

        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename
        if is_body:
            charset = _params(part, "content-type").get("charset", "")
            if ctype == "text/html":
                charset = charset or _sniff_html_charset(payload)
                content.htmls.append(_decode_text(payload, charset, self.defects, label=label))
            else:
                text = _decode_text(payload, charset, self.defects, label=label)
                if not _header_values(part, "content-type") and _looks_like_html(text):
                    content.htmls.append(text)  # no MIME headers at all, yet an HTML body
                    return
                if _params(part, "content-type").get("format", "").lower() == "flowed":
                    delsp = _params(part, "content-type").get("delsp", "").lower() == "yes"
                    text = _unflow(text, delsp=delsp)
                content.texts.append(text)
            return
        if top and ctype.startswith("message/") and ctype in _REPORT_PART_NAMES:
            content.texts.append(_decode_text(payload, "", self.defects, label=label))
            return
        if ctype in _ENCLOSED_MESSAGE_TYPES:
            fallback = "forwarded-message.eml"
        elif ctype in _TNEF_TYPES:
            fallback = "winmail.dat"
        elif ctype in _REPORT_PART_NAMES:
            fallback = _REPORT_PART_NAMES[ctype]
        else:
            fallback = ""
        if cte in ("x-uuencode",) and not filename:
            filename = _uuencode_name(_raw_payload(part))
        self._attach(content, part, ctype, payload, fallback=fallback, filename=filename, disposition=disposition)

    def _attach(
        self,
        content: _Content,
        part: Message,
        ctype: str,
        payload: bytes,
        *,
        fallback: str = "",
        filename: str | None = None,
        disposition: str | None = None,
    ) -> None:
        if filename is None:
            filename = _filename(part, _params(part, "content-disposition", self.charset_hint), self.charset_hint)
        content_type = _normalise_attachment_type(ctype, filename)
        name = _safe_filename(filename) or fallback or self._generated_name(content_type)
        if content_type in _ENCLOSED_MESSAGE_TYPES and not name.lower().endswith((".eml", ".msg")):
            name = _safe_filename(f"{name}.eml")
        content.attachments.append(
            _PendingAttachment(
                filename=name,
                content_type=content_type,
                payload=payload,
                content_id=_normalise_cid(_header_raw(part, "content-id")),
                disposition=_disposition(part) if disposition is None else disposition,
            )
        )

    def _attach_text(self, content: _Content, text: str, ctype: str) -> None:
        content_type = _normalise_attachment_type(ctype, "")
        content.attachments.append(
            _PendingAttachment(
                filename=self._generated_name(content_type),
                content_type=content_type,
                payload=text.encode("utf-8", errors="replace"),
                content_id="",
                disposition="attachment",
            )
        )

    def _generated_name(self, content_type: str) -> str:
        self.generated_names += 1
        return f"attachment-{self.generated_names}{_extension_for(content_type)}"


def _recover_multipart(body: bytes) -> Message | None:
    """Re-read a multipart body whose declared boundary is wrong, using the delimiter it uses.

    A candidate delimiter is a "--token" line directly followed by a MIME header.
    """
    lines = body.split(b"\n")
    for index, line in enumerate(lines[:-1]):
        stripped = line.rstrip()
        if not stripped.startswith(b"--") or len(stripped) < 3 or len(stripped) > 200 or b" " in stripped:
            continue
        if not lines[index + 1].lower().startswith((b"content-", b"mime-version")):
            continue
        boundary = stripped[2:]
        if boundary.endswith(b"--"):
            continue
        envelope = b'Content-Type: multipart/mixed; boundary="' + boundary.replace(b'"', b"") + b'"\n\n'
        try:
            recovered = BytesParser(policy=policy.compat32).parsebytes(envelope + b"\n".join(lines[index:]))
        except Exception:
            return None
        if recovered.is_multipart() and recovered.get_payload():
            return recovered
        return None
    return None


def _serialise(message: Message) -> bytes:
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy.compat32).flatten(message)
        return buffer.getvalue()
    except Exception:  # a broken enclosed message is still kept, as best we can
        try:
            return message.as_string(policy=policy.compat32).encode("utf-8", errors="surrogateescape")
        except Exception:
            return b""


def _strip_leading_blank_line(data: bytes) -> bytes:
    return data[1:] if data.startswith(b"\n") else data


# --------------------------------------------------------------------------------------------
# MIME header fields of one part, read from the raw source.


def _header_values(part: Message, name: str) -> list[str]:
    # Parts are asked for a dozen fields each: index their raw fields by name once (nothing here
    # changes a part's headers; the count guards the index all the same).
    cached = getattr(part, "_raw_fields_by_name", None)
    if cached is None or cached[0] != len(part):
        fields: dict[str, list[str]] = {}
        for key, value in part.raw_items():
            fields.setdefault(key.strip().lower(), []).append(value)
        cached = (len(part), fields)
        part._raw_fields_by_name = cached
    return list(cached[1].get(name.lower(), ()))


def _header_raw(part: Message, name: str, hint: str = "") -> str:
    """First value of a header, raw 8-bit bytes decoded (UTF-8, else Windows-1252), unfolded."""
    values = _header_values(part, name)
    if not values:
        return ""
    return _unfold(_recover_8bit(values[0], hint))


def _recover_8bit(value: object, hint: str = "") -> str:
    """Text of a raw header value holding 8-bit bytes (kept by the parser as surrogate escapes).

    UTF-8 where valid (RFC 6532); otherwise the charset the message declares for its body
    (legacy clients write raw headers in it), then Windows-1252 byte by byte.
    """
    if not isinstance(value, str):
        value = str(value)
    try:
        raw = value.encode("ascii", errors="surrogateescape")
    except UnicodeEncodeError:
        return value  # already real text
    if raw.isascii():
        return value
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _undo_latin1_roundtrip(text, hint) or _undo_cp1251_roundtrip(text)
    if hint:
        try:
            return _prefer_cyrillic(raw, raw.decode(hint))
        except (UnicodeDecodeError, LookupError):
            pass
    return _prefer_cyrillic(raw, raw.decode("utf-8", errors="sportello-cp1252"))


def _undo_cp1251_roundtrip(text: str) -> str:
    """cp1251 bytes read as Latin-1 and saved again as UTF-8 by a gateway: undo the detour."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text
    return _prefer_cyrillic(raw, text)


def _prefer_cyrillic(raw: bytes, text: str) -> str:
    """Russian in windows-1251 read as Latin-1 or Windows-1252 is all "Óçíàé": read it as Cyrillic.

    Mail.ru and other webmails write raw cp1251 headers while declaring ISO-8859-1. Latin text
    has accented letters here and there, never as most of its letters.
    """
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 4:
        return text
    accented = sum(1 for char in letters if "\u00c0" <= char <= "\u00ff")
    if accented / len(letters) < 0.6:
        return text
    try:
        return raw.decode("cp1251")
    except UnicodeDecodeError:
        return text


# Multi-byte legacy charsets whose text, read as Latin-1 and saved as UTF-8 by a broken gateway,
# can be recognised and restored; single-byte ones cannot be told apart from real Latin text.
_MULTIBYTE_CODECS = frozenset({"gb18030", "big5hkscs", "cp949", "cp932", "euc_jp", "iso2022_jp_2", "euc_kr", "big5"})


def _undo_latin1_roundtrip(text: str, codec: str) -> str | None:
    if codec not in _MULTIBYTE_CODECS or any(ord(char) > 0xFF for char in text):
        return None
    if sum(ord(char) > 0x7F for char in text) < 4:
        return None
    try:
        return text.encode("latin-1").decode(codec)
    except UnicodeDecodeError:
        return None


def _unfold(value: str) -> str:
    return re.sub(r"[\r\n]+[ \t]?", " ", value).strip()


def _split_params(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and in_quotes:
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == ";" and not in_quotes:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"'):
        inner = []
        escaped = False
        for char in value[1:]:
            if escaped:
                inner.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                break
            else:
                inner.append(char)
        return "".join(inner)
    return value


_RFC2231_NAME_RE = re.compile(r"^(?P<name>[^*]+)\*(?:(?P<section>\d+)\*?)?$")


def _params(part: Message, header: str, hint: str = "") -> dict[str, str]:
    """Parameters of a Content-Type/Content-Disposition, RFC 2231 and RFC 2047 decoded; first wins."""
    raw = _header_raw(part, header, hint)
    if not raw:
        return {}
    plain: dict[str, str] = {}
    extended: dict[str, list[tuple[int, str, bool]]] = {}
    for chunk in _split_params(raw)[1:]:
        name, sep, value = chunk.partition("=")
        if not sep:
            continue
        name = name.strip().lower()
        match = _RFC2231_NAME_RE.match(name)
        if match:
            section = int(match.group("section") or 0)
            encoded = name.endswith("*")
            extended.setdefault(match.group("name"), []).append((section, _unquote(value), encoded))
        else:
            plain.setdefault(name, _unquote(value))
    for name, sections in extended.items():
        plain[name] = _join_rfc2231(sections)
    return {name: _decode_words(value) if "=?" in value else value for name, value in plain.items()}


def _join_rfc2231(sections: list[tuple[int, str, bool]]) -> str:
    sections = sorted(sections, key=lambda item: item[0])
    charset = ""
    chunks: list[bytes] = []
    for index, (_, value, encoded) in enumerate(sections):
        if index == 0 and encoded and value.count("'") >= 2:
            charset, _, value = value.split("'", 2)
        if encoded:
            chunks.append(urllib.parse.unquote_to_bytes(value))
        else:
            chunks.append(value.encode("utf-8", errors="surrogateescape"))
    return _decode_bytes_quietly(b"".join(chunks), charset)


_MEDIA_TYPE_RE = re.compile(r"\s*\"?([a-z0-9][a-z0-9!#$&^_.+-]*)\s*/\s*([a-z0-9][a-z0-9!#$&^_.+-]*)")


def _content_type(part: Message) -> str:
    """The declared media type, or the default one when absent or unreadable (RFC 2045 section 5.2)."""
    match = _MEDIA_TYPE_RE.match(_header_raw(part, "content-type").lower())
    if match is None:
        return part.get_default_type()
    return f"{match.group(1)}/{match.group(2)}"


def _safe_maintype(part: Message) -> str:
    try:
        return part.get_content_maintype()
    except Exception:
        return ""


def _disposition(part: Message) -> str:
    for value in _header_values(part, "content-disposition"):
        token = _split_params(_unfold(_recover_8bit(value)))[0].strip().lower()
        if token in ("inline", "attachment"):
            return token
    return ""


def _filename(part: Message, disposition_params: dict[str, str], hint: str = "") -> str:
    name = disposition_params.get("filename") or _params(part, "content-type", hint).get("name") or ""
    return name.strip()


def _transfer_encoding(part: Message) -> str:
    raw = _header_raw(part, "content-transfer-encoding").strip().strip('"').lower()
    raw = raw.split(";", 1)[0].strip()
    raw = re.sub(r"[\s_]+", "-", raw)
    aliases = {
        "": "7bit",
        "7-bit": "7bit",
        "8-bit": "8bit",
        "quoted-printable": "quoted-printable",
        "quotedprintable": "quoted-printable",
        "qp": "quoted-printable",
        "base-64": "base64",
        "uuencode": "x-uuencode",
        "x-uue": "x-uuencode",
        "uue": "x-uuencode",
    }
    return aliases.get(raw, raw)


def _raw_payload(part: Message) -> bytes:
    # get_payload(decode=False) re-decodes 8-bit text with the declared charset; the bytes
    # as they arrived are needed here, so read what the parser stored.
    payload = part._payload
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        try:
            return payload.encode("ascii", errors="surrogateescape")
        except UnicodeEncodeError:
            return payload.encode("utf-8", errors="surrogateescape")
    return b""


def _decode_transfer(data: bytes, cte: str, defects: list[str], label: str) -> bytes:
    if cte in ("7bit", "8bit", "binary"):
        return data
    if cte == "base64":
        decoded, clean = _decode_base64(data)
        if not clean:
            defects.append(f"{label}: malformed base64, decoded what could be decoded")
        return decoded
    if cte == "quoted-printable":
        return quopri.decodestring(data)
    if cte == "x-uuencode":
        decoded, clean = _decode_uuencode(data)
        if not clean:
            defects.append(f"{label}: malformed uuencode, decoded what could be decoded")
        return decoded
    defects.append(f"{label}: unknown transfer encoding {cte[:40]!r}; kept as is")
    return data


_BASE64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/=]")


def _decode_base64(data: bytes) -> tuple[bytes, bool]:
    compact = b"".join(data.split())
    cleaned = _BASE64_JUNK_RE.sub(b"", compact)
    clean = len(cleaned) == len(compact)
    stripped = cleaned.rstrip(b"=")
    if clean and b"=" not in stripped and len(cleaned) % 4 == 0:
        try:
            return binascii.a2b_base64(cleaned), True
        except binascii.Error:
            pass
    if b"=" in stripped:
        clean = False  # padding in the middle: concatenated chunks, decode them one by one
    out = bytearray()
    for segment in re.split(rb"=+", cleaned):
        if len(segment) % 4 == 1:
            segment = segment[:-1]
            clean = False
        if not segment:
            continue
        try:
            out += binascii.a2b_base64(segment + b"=" * (-len(segment) % 4))
        except binascii.Error:
            clean = False
    return bytes(out), clean


def _decode_uuencode(data: bytes) -> tuple[bytes, bool]:
    lines = data.split(b"\n")
    start = next((index for index, line in enumerate(lines) if line.startswith(b"begin ")), None)
    if start is None:
        return data, False
    out = bytearray()
    clean = True
    for line in lines[start + 1 :]:
        line = line.rstrip(b"\r")
        if line.strip() == b"end":
            break
        if not line or line == b"`":
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Some encoders pad lines with garbage; decode the length the line announces.
            length = (((line[0] - 32) & 63) * 4 + 5) // 3
            try:
                out += binascii.a2b_uu(line[:length])
            except binascii.Error:
                clean = False
    return bytes(out), clean


def _uuencode_name(data: bytes) -> str:
    match = re.search(rb"^begin [0-7]{3,4} (.+)$", data, re.MULTILINE)
    return _decode_bytes_quietly(match.group(1).strip(), "") if match else ""


def _normalise_cid(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("cid:"):
        value = value[4:]
    return value.strip().strip("<>").strip()


# --------------------------------------------------------------------------------------------
# Charsets.

_CHARSET_ALIASES = {
    # WHATWG: these labels mean windows-1252 in practice, and cp1252 decodes every byte we meet.
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "big-5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_2",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-11": "cp874",
}
_NO_CHARSET = frozenset({"", "unknown-8bit", "unknown", "x-unknown", "none", "default", "x-user-defined", "8bit"})
_NOT_TEXT_CODECS = frozenset(
    {"base64", "bz2", "hex", "quopri", "rot-13", "uu", "zlib", "undefined", "unicode-escape",
     "raw-unicode-escape", "idna", "punycode", "mbcs", "oem", "charmap", "escape"}
)  # fmt: skip
_LATIN_CODECS = frozenset({"cp1252", "iso8859-15", "ascii", "latin-1", "iso8859-1"})


def _replace_with_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_CP1252_TABLE[byte] for byte in bad), error.end


_CP1252_TABLE = [bytes([byte]).decode("cp1252", errors="replace") for byte in range(256)]
codecs.register_error("sportello-cp1252", _replace_with_cp1252)


def _lookup_codec(charset: str) -> str | None:
    """Map a declared charset label to a Python codec name; None when unknown or not text."""
    label = charset.strip().strip("'\"").lower()
    if label.startswith("charset="):
        label = label[len("charset=") :].strip("'\"")
    candidates = [label]
    token = re.search(r"[a-z0-9][a-z0-9_.:-]*", label)
    if token and token.group(0) != label:
        candidates.append(token.group(0))  # e.g. "_iso-2022-jp$ESC"
    for candidate in candidates:
        if candidate in _NO_CHARSET:
            return None
        candidate = _CHARSET_ALIASES.get(candidate, candidate)
        try:
            name = codecs.lookup(candidate).name
        except (LookupError, ValueError):  # ValueError: a NUL in the label
            continue
        if name in _NOT_TEXT_CODECS:
            return None
        return _CHARSET_ALIASES.get(name, name)
    return None


def _decode_text(data: bytes, charset: str, defects: list[str], *, label: str) -> str:
    """Decode a body with its declared charset, falling back to UTF-8 then Windows-1252."""
    codec = _lookup_codec(charset) if charset else None
    if charset and codec is None and charset.strip().lower() not in _NO_CHARSET:
        defects.append(f"{label}: unknown charset {charset[:40]!r}")
    if data.isascii() and (codec is None or codec == "utf-8" or codec in _LATIN_CODECS):
        return data.decode("ascii")
    if codec is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if charset.strip().lower() not in ("", "unknown-8bit"):
                defects.append(f"{label}: not UTF-8; undecodable bytes read as Windows-1252")
            return data.decode("utf-8", errors="sportello-cp1252")
    if codec in _LATIN_CODECS:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode(codec if codec != "ascii" else "cp1252", errors="sportello-cp1252")
        defects.append(f"{label}: declared {charset.strip()[:40]} but the content is UTF-8")
        return text
    if codec != "utf-8":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            # Valid UTF-8 with several non-ASCII characters is practically never legacy CJK/Cyrillic
            # text by chance; senders that relabel without re-encoding are common.
            if sum(not char.isascii() and char != "\ufffd" for char in text[:20000]) >= 4:
                repaired = _undo_latin1_roundtrip(text, codec)
                if repaired is not None:
                    defects.append(f"{label}: {charset.strip()[:40]} text double-encoded as UTF-8; restored")
                    return repaired
                defects.append(f"{label}: declared {charset.strip()[:40]} but the content is UTF-8")
                return text
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        pass
    if codec == "utf-8":
        defects.append(f"{label}: invalid UTF-8; undecodable bytes read as Windows-1252")
        return data.decode("utf-8", errors="sportello-cp1252")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        defects.append(f"{label}: bytes invalid in {charset.strip()[:40]}; replaced")
        return data.decode(codec, errors="replace")
    defects.append(f"{label}: declared {charset.strip()[:40]} but the content is UTF-8")
    return text


def _decode_bytes_quietly(data: bytes, charset: str) -> str:
    return _decode_text(data, charset, [], label="")


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _sniff_html_charset(data: bytes) -> str:
    match = _META_CHARSET_RE.search(data[:8192])
    return match.group(1).decode("ascii") if match else ""


# --------------------------------------------------------------------------------------------
# RFC 2047 encoded words and the header fields of the message.

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]*)\?([bBqQ])\?([^?]*)\?=")


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words, joining adjacent ones first (characters get split across them)."""
    if "=?" not in text:
        return text
    pieces: list[str | tuple[str, bytearray]] = []
    position = 0
    for match in _ENCODED_WORD_RE.finditer(text):
        between = text[position : match.start()]
        previous_encoded = bool(pieces) and isinstance(pieces[-1], tuple)
        if between and not (previous_encoded and not between.strip()):
            pieces.append(between)
        charset = match.group(1).split("*", 1)[0]
        payload = match.group(3)
        if match.group(2) in "bB":
            decoded, _ = _decode_base64(payload.encode("ascii", errors="ignore"))
        else:
            decoded = binascii.a2b_qp(payload.encode("utf-8", errors="surrogateescape"), header=True)
        last = pieces[-1] if pieces else None
        if isinstance(last, tuple) and last[0].lower() == charset.lower():
            last[1].extend(decoded)
        else:
            pieces.append((charset, bytearray(decoded)))
        position = match.end()
    pieces.append(text[position:])
    return "".join(
        piece if isinstance(piece, str) else _decode_bytes_quietly(bytes(piece[1]), piece[0]) for piece in pieces
    )


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _single_line(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL_RE.sub(" ", text)).strip()


class _Headers:
    """Top-level header fields, decoded from the raw source one by one."""

    def __init__(self, message: Message, defects: list[str], charset_hint: str) -> None:
        self.message = message
        self.defects = defects
        self.charset_hint = charset_hint

    def raw(self, name: str) -> str:
        return _header_raw(self.message, name, self.charset_hint)

    def text(self, name: str) -> str:
        return _single_line(_decode_words(self.raw(name)))

    def subject(self) -> str:
        subject = self.text("subject")
        if len(subject) > MAX_SUBJECT_CHARS:
            self.defects.append(f"subject of {len(subject)} characters truncated to {MAX_SUBJECT_CHARS}")
            subject = subject[:MAX_SUBJECT_CHARS].rstrip()
        return subject

    def addresses(self, name: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for value in _header_values(self.message, name):
            text = _unfold(_recover_8bit(value, self.charset_hint))
            pairs = _address_pairs(text)
            if not pairs and "=?" in text:
                pairs = _address_pairs(_decode_words(text))  # the whole address inside an encoded word
            if not pairs:
                # "a@x b@y" without a comma, or garbage: pick out what looks like addresses.
                pairs = [("", candidate) for candidate in _ADDRESS_LIKE_RE.findall(_decode_words(text))]
            found.extend(pair for pair in pairs if _is_address(pair[1]))
        return found

    def first_address(self, name: str) -> tuple[str, str]:
        found = self.addresses(name)
        if found:
            return found[0]
        raw = self.text(name)
        if raw:
            self.defects.append(f"{name.title()} header has no usable address: {raw[:80]!r}")
        return raw.strip("<>\"' "), ""

    def address_list(self, name: str) -> list[str]:
        return _unique(address for _, address in self.addresses(name))

    def message_id(self, name: str) -> str:
        raw = self.raw(name)
        match = re.search(r"<\s*([^<>\s]+)\s*>", raw)
        if match:
            return match.group(1)[:998]
        token = raw.strip().split()
        return token[0].strip("<>")[:998] if token else ""

    def references(self) -> list[str]:
        raw = self.raw("references")
        ids = re.findall(r"<\s*([^<>\s]+)\s*>", raw)
        if not ids and raw.strip():
            ids = [token.strip("<>") for token in re.split(r"[\s,]+", raw) if token.strip("<>")]
        return _unique(ids)

    def date(self) -> datetime | None:
        raw = self.raw("date")
        if not raw:
            return None
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            self.defects.append(f"unreadable Date header: {raw[:60]!r}")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # "-0000": time zone unknown, RFC 5322 says UTC
        if not 1970 <= parsed.year <= 2100:
            self.defects.append(f"implausible Date header ignored: {raw[:60]!r}")
            return None
        return parsed


_ADDRESS_LIKE_RE = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+")


def _address_pairs(text: str) -> list[tuple[str, str]]:
    try:
        pairs = getaddresses([text])
    except Exception:
        return []
    result = []
    for display, address in pairs:
        address = address.strip().strip("<>").lower()
        if _is_address(address):
            result.append((_single_line(_decode_words(display)).strip("'\" "), address))
    return result


def _is_address(address: str) -> bool:
    local, at, domain = address.partition("@")
    return bool(at and local and domain) and "@" not in domain and not re.search(r"[\s<>\"(),;]", address)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


# --------------------------------------------------------------------------------------------
# Automatic messages: bounces, auto-replies, receipts, reports.

_BOUNCE_SENDERS = frozenset({"mailer-daemon", "mail-daemon", "maildaemon", "postmaster", "mailerdaemon"})
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|has failed|failed|delayed|notification)|"
    r"mail delivery failed|failure notice|returned mail|returned to sender|could not send message|"
    r"delayed message|non remis|non recapitabile|non recapitato|mancato recapito|unzustellbar|"
    r"nicht zustellbar|no se puede entregar|no entregado|mail system error|delivery report",
    re.IGNORECASE,
)
_OUT_OF_OFFICE_RE = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|auto[- ]?response|autorespon[ds]\w*|out of (?:the )?office|"
    r"risposta automatica|risposta di assenza|fuori (?:sede|ufficio)|"
    r"r[ée]ponse automatique|message d'absence|absent\(e\) du bureau|absence du bureau|"
    r"respuesta autom[áa]tica|fuera de la oficina|"
    r"abwesenheitsnotiz|automatische antwort|"
    r"resposta autom[áa]tica|automatisch antwoord)"
    r"|\bis out of (?:the )?office\b",
    re.IGNORECASE,
)


def _detect_auto_reason(message: Message, headers: _Headers, subject: str, from_name: str, from_address: str) -> str:
    ctype = _content_type(message)
    if ctype == "multipart/report":
        report_type = _params(message, "content-type").get("report-type", "").lower()
        child_types = {_content_type(child) for child in _children(message)}
        if report_type == "disposition-notification" or "message/disposition-notification" in child_types:
            return "read receipt"
        if report_type == "feedback-report" or "message/feedback-report" in child_types:
            return "abuse report (ARF)"
        if report_type in ("delivery-status", "") or "message/delivery-status" in child_types:
            return "bounce (delivery status notification)"
        return f"automatic report ({report_type[:40]})"
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        return "bounce (delivery status notification)"
    if any(_content_type(child) == "message/delivery-status" for child in _children(message)):
        return "bounce (delivery status notification)"

    auto_submitted = headers.text("auto-submitted").lower().split("(", 1)[0].strip(" ;")
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted: {auto_submitted[:40]}"
    for name in ("x-autoreply", "x-autorespond", "x-autoreply-from", "x-mail-autoreply"):
        if _header_values(message, name):
            return name
    autogenerated = headers.text("x-autogenerated").lower()
    if autogenerated in ("reply", "forward", "group", "letter"):
        return f"x-autogenerated: {autogenerated}"
    precedence = headers.text("precedence").lower().strip()
    if precedence in ("bulk", "junk", "auto_reply", "auto-reply"):
        return f"precedence: {precedence}"

    local_part = (from_address or from_name).split("@", 1)[0].lower()
    # Postmaster is sometimes a person; MAILER-DAEMON never is.
    if local_part in _BOUNCE_SENDERS and (local_part != "postmaster" or _BOUNCE_SUBJECT_RE.search(subject)):
        return "bounce (sent by the mail system)"
    if re.search(r"mail delivery (subsystem|system)", from_name, re.IGNORECASE) and _BOUNCE_SUBJECT_RE.search(subject):
        return "bounce (sent by the mail system)"
    if _OUT_OF_OFFICE_RE.search(subject):
        return "out-of-office subject"
    return ""


def _children(message: Message) -> list[Message]:
    payload = message.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


# --------------------------------------------------------------------------------------------
# Text and HTML.

_CID_REF_RE = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
_BLOCK_TAGS = (
    "address|article|aside|blockquote|body|caption|center|dd|div|dl|dt|fieldset|figcaption|figure|footer|form|"
    "h[1-6]|header|hr|html|main|nav|ol|p|pre|section|table|tbody|tfoot|thead|tr|ul"
)
_BLOCK_TAG_RE = re.compile(rf"<(?:/?(?:{_BLOCK_TAGS})|br)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM_RE = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_CELL_RE = re.compile(r"<(?:td|th)\b[^>]*>", re.IGNORECASE)
_DATA_URI_RE = re.compile(r"""data:[^"'\s>]{200,}""", re.IGNORECASE)  # inline images: megabytes, no text
_PRE_RE = re.compile(r"(<pre\b.*?</pre\s*>)", re.IGNORECASE | re.DOTALL)
_TEXT_CONTENT_DROPPED = {"script", "style", "title", "head", "template", "noscript", "xml"}


def _html_to_text(source: str, defects: list[str]) -> str:
    """Readable text from HTML: html5ever (through nh3) strips the tags, the regexes keep the line breaks.

    html.parser would do, but it is pure Python (seconds on a 2 MB newsletter) and still raises
    on Outlook's <![if !supportLists]> sections.
    """
    source = _DATA_URI_RE.sub("", source)
    if len(source) > MAX_HTML_TO_TEXT_CHARS:
        defects.append(f"HTML body over {MAX_HTML_TO_TEXT_CHARS} characters; text taken from the beginning")
        source = source[:MAX_HTML_TO_TEXT_CHARS]
    # Source line breaks are mere spaces in HTML, except inside <pre>.
    chunks = _PRE_RE.split(source)
    source = "".join(chunk if index % 2 else re.sub(r"\s+", " ", chunk) for index, chunk in enumerate(chunks))
    source = _BLOCK_TAG_RE.sub(lambda match: "\n" + match.group(0), source)
    source = _LIST_ITEM_RE.sub(lambda match: "\n- " + match.group(0), source)
    source = _CELL_RE.sub(lambda match: " " + match.group(0), source)
    try:
        text = nh3.clean(source, tags=set(), attributes={}, clean_content_tags=_TEXT_CONTENT_DROPPED)
    except Exception as exc:
        defects.append(f"HTML could not be converted to text ({type(exc).__name__}); tags stripped crudely")
        text = re.sub(r"<[^>]*>", "", source)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _sanitise_html(source: str, defects: list[str]) -> str:
    source = _DATA_URI_RE.sub("", source)  # nh3 drops data: URLs anyway; do it before paying for them
    if len(source) > MAX_HTML_CHARS:
        defects.append(f"HTML body over {MAX_HTML_CHARS} characters; kept from the beginning")
        source = source[:MAX_HTML_CHARS]
    try:
        return nh3.clean(
            source,
            url_schemes=nh3.ALLOWED_URL_SCHEMES | {"cid"},
            clean_content_tags={"script", "style", "title", "head", "template"},
        ).strip()
    except Exception as exc:
        defects.append(f"HTML could not be sanitised ({type(exc).__name__}); dropped")
        return ""


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|div|p|table|br)\b", text[:4096], re.IGNORECASE))


def _unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed soft line breaks; a change of quote depth ends a paragraph."""
    out: list[str] = []
    buffer: tuple[int, str] | None = None  # (quote depth, text so far) of an unfinished paragraph

    def render(depth: int, content: str) -> str:
        return f"{'>' * depth} {content}" if depth else content

    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the space after the quote marks)
        if buffer is not None and buffer[0] != depth:
            out.append(render(*buffer))
            buffer = None
        if content.endswith(" ") and content != "-- ":
            piece = content[:-1] if delsp else content
            buffer = (depth, (buffer[1] if buffer else "") + piece)
            continue
        if buffer is not None:
            content, buffer = buffer[1] + content, None
        out.append(render(depth, content))
    if buffer is not None:
        out.append(render(*buffer))
    return "\n".join(out)


def _clean_body_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", "", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


# --------------------------------------------------------------------------------------------
# Attachments.

_CONTENT_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/jpe": "image/jpeg",
    "image/x-citrix-jpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-citrix-png": "image/png",
    "application/x-pdf": "application/pdf",
    "application/vnd.pdf": "application/pdf",
    "text/calender": "text/calendar",
    "application/ics": "text/calendar",
}
_EXTENSIONS = {
    "application/octet-stream": ".bin",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/jpeg": ".jpg",
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "text/calendar": ".ics",
    "audio/x-wav": ".wav",
    "audio/wav": ".wav",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
}
# A private table: the process-wide one reads /etc/mime.types and differs between machines.
_MIME_TYPES = mimetypes.MimeTypes()


def _normalise_attachment_type(ctype: str, filename: str) -> str:
    ctype = _CONTENT_TYPE_ALIASES.get(ctype, ctype)
    if ctype == "application/octet-stream" and filename:
        guessed, _ = _MIME_TYPES.guess_type(_safe_filename(filename) or "x", strict=False)
        if guessed:
            return _CONTENT_TYPE_ALIASES.get(guessed, guessed)
    return ctype


def _extension_for(content_type: str) -> str:
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    return _MIME_TYPES.guess_extension(content_type, strict=False) or ".bin"


def _safe_filename(name: str) -> str:
    """The one filename policy (tickets.uploads), "" when nothing of the name is left."""
    return clean_filename(name)


# --------------------------------------------------------------------------------------------
# Last resort.


def _parse_plainly(data: bytes, defects: list[str]) -> ParsedEmail:
    """Headers by regex and the body as text: used only when the structured parse failed."""
    head, _, body = data.partition(b"\n\n")
    fields: dict[str, str] = {}
    for match in re.finditer(rb"^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*(?:\n[ \t].*)*)", head, re.MULTILINE):
        name = match.group(1).decode("ascii").lower()
        fields.setdefault(name, _unfold(_recover_8bit(match.group(2).decode("ascii", errors="surrogateescape"))))
    if not fields:
        raise EmailParseError("no header block found")
    subject = _single_line(_decode_words(fields.get("subject", "")))[:MAX_SUBJECT_CHARS]
    addresses = re.findall(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+", fields.get("from", ""))
    return ParsedEmail(
        message_id=fields.get("message-id", "").strip().strip("<>"),
        subject=subject,
        from_name="",
        from_address=addresses[0].lower() if addresses else "",
        to=[],
        cc=[],
        reply_to="",
        date=None,
        in_reply_to=fields.get("in-reply-to", "").strip().strip("<>"),
        references=[],
        text=_clean_body_text(body.decode("utf-8", errors="sportello-cp1252")),
        html="",
        attachments=[],
        auto_reason="",
        defects=_unique(defects),
    )
