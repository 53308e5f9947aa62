"""Where every inbound channel's files meet the one upload policy (`tickets.uploads.inspect_file`).

E-mail, WhatsApp, voicemail and stored web requests cannot ask the sender to try again, so nothing
here raises: a file the policy refuses is withheld, the message text says so, a notice goes on the
ticket's timeline, and the raw input (the whole e-mail, the webhook body) keeps the original for an
expert. A file whose name or type lied is stored under an honest name and type, with a note.
Pure functions: bytes in, decisions out; no database, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from tickets.services import NewAttachment
from tickets.uploads import Inspection, format_size, inspect_file, max_upload_bytes, spell_hidden_characters


@dataclass
class ScreenedAttachments:
    accepted: list[NewAttachment] = field(default_factory=list)
    # One line per withheld or corrected file, appended to the message text.
    notes: list[str] = field(default_factory=list)
    # Structured records for the ticket timeline (one TicketEvent each); "reason" is shown on the desk.
    notices: list[dict] = field(default_factory=list)


def max_attachment_bytes() -> int:
    return max_upload_bytes()


def _note(inspection: Inspection, declared: str) -> tuple[str, dict] | None:
    """The line for the message text and the timeline notice for one file, if it deserves one."""
    name, original = inspection.filename, _shown(inspection)
    refusal = inspection.refusal
    if refusal is not None and refusal.code == "too_large":
        limit = max_upload_bytes()
        note = _("[Attachment “%(name)s” (%(size)s) was not stored: it exceeds the %(limit)s limit.]") % {
            "name": name,
            "size": format_size(inspection.size),
            "limit": format_size(limit),
        }
        return note, {"notice": "attachment_too_large", "filename": name, "size": inspection.size, "limit": limit}
    if refusal is not None:
        template = (
            _("[Attachment “%(name)s” was quarantined: %(why)s.]")
            if refusal.is_security
            else _("[Attachment “%(name)s” was not stored: %(why)s.]")
        )
        note = template % {"name": name, "why": refusal.why}
        code = "attachment_quarantined" if refusal.is_security else f"attachment_{refusal.code}"
        return note, {"notice": code, "filename": name, "declared": declared, "found": str(refusal.why)}
    if inspection.relabelled:
        note = _(
            "[Attachment “%(original)s” does not contain what its name or type says; "
            "it was stored as “%(name)s” (%(found)s).]"
        ) % {"original": original, "name": name, "found": inspection.content_type}
        return note, {
            "notice": "attachment_relabelled",
            "filename": name,
            "original": original,
            "declared": declared,
            "found": inspection.content_type,
        }
    if inspection.hidden_characters:
        note = _("[Attachment “%(original)s” had hidden characters in its name; it was stored as “%(name)s”.]") % {
            "original": original,
            "name": name,
        }
        return note, {"notice": "attachment_renamed", "filename": name, "original": original}
    return None


def _shown(inspection: Inspection) -> str:
    """The name as the sender gave it, with its hidden characters spelled out."""
    return spell_hidden_characters(inspection.original.replace("\\", "/").rsplit("/", 1)[-1]) or inspection.filename


def screen(attachments: list[NewAttachment]) -> ScreenedAttachments:
    """Keep what the policy accepts, under its honest name and type; describe what was withheld or changed."""
    result = ScreenedAttachments()
    for item in attachments:
        declared = (item.content_type or "application/octet-stream").split(";")[0].strip().lower()
        inspection = inspect_file(item.filename, item.payload, declared)
        described = _note(inspection, declared)
        if described is not None:
            note, notice = described
            result.notes.append(note)
            result.notices.append({**notice, "reason": note.strip("[]")})
        if inspection.refusal is None:
            result.accepted.append(replace(item, filename=inspection.filename, content_type=inspection.content_type))
    return result
