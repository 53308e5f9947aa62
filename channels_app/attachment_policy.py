"""What an attachment must be before it is stored on a ticket: not too big, and what it claims to be.

Operators open attachments on office PCs, so an executable renamed ``.pdf`` must never reach
them as a PDF. A refused file is not lost: the raw input (the whole e-mail, the webhook body) is
kept on its InboundMessage, and the message text says what was withheld and why.
Pure functions: bytes in, decisions out; no database, no network.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from tickets.services import NewAttachment

DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024

# Programs and scripts Windows (or a browser) runs on a double click: refused whatever their content.
DANGEROUS_EXTENSIONS = frozenset(
    {
        "exe", "scr", "com", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "vbs", "vbe", "js", "jse", "wsf",
        "wsh", "hta", "ps1", "psm1", "jar", "lnk", "reg", "sh", "apk", "gadget",
    }
)  # fmt: skip
EXECUTABLE_MIMES = frozenset(
    {"application/x-msdownload", "application/x-executable", "application/x-mach-binary", "application/x-elf"}
)
_EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program (PE)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS/Java program"),
    (b"#!", "a script"),
)
# Declared types whose first bytes we can check; everything else is accepted as declared.
_SIGNATURES = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF8",),
}


@dataclass
class ScreenedAttachments:
    accepted: list[NewAttachment] = field(default_factory=list)
    # One line per withheld or corrected file, appended to the message text.
    notes: list[str] = field(default_factory=list)
    # Structured records for the ticket timeline (one TicketEvent each).
    notices: list[dict] = field(default_factory=list)


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SPORTELLO_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _executable_kind(payload: bytes) -> str:
    head = payload[:8]
    for magic, kind in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            if magic == b"MZ" and len(payload) < 64:
                continue  # two letters "MZ" in a tiny text file are not a program
            return kind
    return ""


def screen(attachments: list[NewAttachment]) -> ScreenedAttachments:
    """Keep what is safe to store; describe what was withheld or relabelled."""
    result = ScreenedAttachments()
    limit = max_attachment_bytes()
    for item in attachments:
        name = item.filename or "attachment"
        declared = (item.content_type or "application/octet-stream").lower()
        if len(item.payload) > limit:
            result.notes.append(
                _("[Attachment “%(name)s” (%(size)s) was not stored: it exceeds the %(limit)s limit.]")
                % {"name": name, "size": _size(len(item.payload)), "limit": _size(limit)}
            )
            result.notices.append(
                {"notice": "attachment_too_large", "filename": name, "size": len(item.payload), "limit": limit}
            )
            continue
        executable = _executable_kind(item.payload)
        sniffed = filetype.guess_mime(item.payload[:8192]) or ""
        if not executable and sniffed in EXECUTABLE_MIMES:
            executable = "a program"
        if executable or _extension(name) in DANGEROUS_EXTENSIONS:
            what = executable or _("a program or script")
            result.notes.append(
                _("[Attachment “%(name)s” was quarantined: it is %(what)s, not a document.]")
                % {"name": name, "what": what}
            )
            result.notices.append(
                {"notice": "attachment_quarantined", "filename": name, "declared": declared, "found": what}
            )
            continue
        content_type = declared
        signatures = _SIGNATURES.get(declared)
        if signatures and not any(sig in item.payload[:1024] for sig in signatures):
            # Not what it says: store it under what it really is, so no viewer opens it as a PDF/image.
            content_type = sniffed or "application/octet-stream"
            result.notes.append(
                _("[Attachment “%(name)s” is not a valid %(declared)s file; it was stored as %(found)s.]")
                % {"name": name, "declared": declared, "found": content_type}
            )
            result.notices.append(
                {"notice": "attachment_relabelled", "filename": name, "declared": declared, "found": content_type}
            )
        elif declared == "application/octet-stream" and sniffed:
            content_type = sniffed
        elif declared == "application/octet-stream":
            content_type = mimetypes.guess_type(name)[0] or declared
        result.accepted.append(
            NewAttachment(
                filename=name,
                content_type=content_type,
                payload=item.payload,
                content_id=item.content_id,
                inline=item.inline,
            )
        )
    return result
