"""Privacy writes: the access log, consent history, exports and the one anonymizer.

The anonymizer is shared by retention (N months after the last ticket closed) and by
erasure on request: it removes what identifies a person (names, contacts, texts, HTML,
attachments, free text in the timeline and the raw channel input) and keeps what the
statistics need (ticket rows, topic, channel, office, queue, dates, status, nationality
and kind of the citizen).
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterable
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tickets.models import Attachment, Citizen, Message, Office, Status, Ticket, TicketEvent

from .models import AccessLog, ConsentRecord, DataSubjectRequest

logger = logging.getLogger(__name__)

# Keys of TicketEvent.data that may carry words typed about the citizen (reasons, notes).
PERSONAL_EVENT_KEYS = ("reason", "note", "text", "sender", "email", "phone", "name", "subject", "official")


def _username(user) -> str:
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def record_access(
    user, *, ticket: Ticket | None = None, citizen: Citizen | None = None, via: str, reason: str = "", action=""
) -> AccessLog:
    """Log one view of a ticket or a citizen's data by staff (one INSERT)."""
    if citizen is None and ticket is not None:
        citizen_id = ticket.citizen_id
    else:
        citizen_id = citizen.pk if citizen is not None else None
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        username=_username(user),
        ticket=ticket,
        citizen_id=citizen_id,
        via=via,
        action=action or AccessLog.Action.VIEW,
        reason=reason[:500],
    )


def record_ticket_view(*, user_id: int, username: str, ticket_id: int, citizen_id: int | None) -> None:
    """record_access for a desk ticket view, from ids: a replayed page has no user object loaded."""
    AccessLog.objects.create(
        user_id=user_id,
        username=username,
        ticket_id=ticket_id,
        citizen_id=citizen_id,
        via=AccessLog.Via.DESK,
        action=AccessLog.Action.VIEW,
    )


def record_list_access(
    user, *, tickets: Iterable[Ticket] = (), citizens: Iterable[Citizen] = (), via: str, reason: str = ""
) -> int:
    """Log a list showing personal data: one bulk INSERT for the whole page."""
    common = {
        "user": user if getattr(user, "is_authenticated", False) else None,
        "username": _username(user),
        "via": via,
        "action": AccessLog.Action.LIST,
        "reason": reason[:500],
    }
    rows = [AccessLog(ticket_id=t.pk, citizen_id=t.citizen_id, **common) for t in tickets]
    rows += [AccessLog(citizen_id=c.pk, **common) for c in citizens]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def record_consent(
    citizen: Citizen,
    *,
    legal_basis: str,
    consent_given: bool,
    channel: str = "",
    actor=None,
    notice_version: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    """Set the citizen's current legal basis/consent and keep the change in the history."""
    at = at or timezone.now()
    citizen.legal_basis = legal_basis
    citizen.consent_given = consent_given
    citizen.consent_at = at
    citizen.consent_channel = channel
    citizen.save(update_fields=["legal_basis", "consent_given", "consent_at", "consent_channel", "updated_at"])
    return ConsentRecord.objects.create(
        citizen=citizen,
        legal_basis=legal_basis,
        consent_given=consent_given,
        channel=channel,
        notice_version=notice_version,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=at,
    )


# ----------------------------------------------------------------------------- export


def _citizen_data(citizen: Citizen) -> dict:
    tickets = (
        Ticket.objects.filter(citizen=citizen)
        .select_related("topic", "queue", "office")
        .prefetch_related("messages", "attachments", "events")
        .order_by("created_at", "pk")
    )
    return {
        "citizen": {
            "id": citizen.pk,
            "first_name": citizen.first_name,
            "last_name": citizen.last_name,
            "email": citizen.email,
            "phone": str(citizen.phone or ""),
            "phone_alt": str(citizen.phone_alt or ""),
            "whatsapp_id": citizen.whatsapp_id,
            "preferred_language": citizen.preferred_language,
            "nationality": str(citizen.nationality or ""),
            "kind": citizen.kind,
            "legal_basis": citizen.legal_basis,
            "consent_given": citizen.consent_given,
            "consent_at": citizen.consent_at,
            "consent_channel": citizen.consent_channel,
            "created_at": citizen.created_at,
            "anonymized_at": citizen.anonymized_at,
        },
        "consent_history": [
            {
                "legal_basis": record.legal_basis,
                "consent_given": record.consent_given,
                "channel": record.channel,
                "recorded_at": record.recorded_at,
            }
            for record in citizen.consent_records.all()
        ],
        "tickets": [
            {
                "reference": ticket.reference,
                "channel": ticket.channel,
                "subject": ticket.subject,
                "topic": ticket.topic.name if ticket.topic else "",
                "office": ticket.office.name,
                "status": ticket.status,
                "created_at": ticket.created_at,
                "closed_at": ticket.closed_at,
                "case_file_ref": ticket.case_file_ref,
                "messages": [
                    {
                        "direction": message.direction,
                        "channel": message.channel,
                        "sender": message.sender,
                        "subject": message.subject,
                        "text": message.text,
                        "created_at": message.created_at,
                    }
                    for message in ticket.messages.all()
                ],
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "size": a.size, "path": _zip_path(a)}
                    for a in ticket.attachments.all()
                ],
                "timeline": [
                    {"kind": e.kind, "from": e.from_status, "to": e.to_status, "at": e.created_at}
                    for e in ticket.events.all()
                    if e.public
                ],
            }
            for ticket in tickets
        ],
    }


def _zip_path(attachment: Attachment) -> str:
    return f"attachments/{attachment.ticket_id}/{attachment.pk}-{attachment.filename}"


def export_citizen_data(citizen: Citizen, *, actor, via: str, reason: str = "") -> bytes:
    """Everything held on a citizen as a ZIP (data.json + attachments), logged as an access and an audit entry."""
    data = _citizen_data(citizen)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for attachment in Attachment.objects.filter(ticket__citizen=citizen).order_by("pk"):
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(_zip_path(attachment), handle.read())
            except (FileNotFoundError, ValueError, OSError):
                logger.warning("attachment %s missing from storage during export", attachment.pk)
    with transaction.atomic():
        record_access(actor, citizen=citizen, via=via, reason=reason, action=AccessLog.Action.EXPORT)
        DataSubjectRequest.objects.create(
            kind=DataSubjectRequest.Kind.EXPORT,
            citizen=citizen,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason[:500],
            details={"tickets": len(data["tickets"]), "bytes": buffer.tell()},
        )
    return buffer.getvalue()


# ----------------------------------------------------------------------------- anonymization


def _allow_event_rewrite() -> None:
    # The PostgreSQL trigger keeps the timeline append-only except inside this transaction.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL sportello.allow_event_rewrite = 'on'")


def _scrub_event_data(data: dict) -> dict:
    return {key: ("" if key in PERSONAL_EVENT_KEYS else value) for key, value in (data or {}).items()}


@transaction.atomic
def anonymize_citizen(citizen: Citizen, *, actor=None, reason: str = "", kind: str = "erasure") -> dict:
    """Remove everything that identifies the citizen; keep the rows that statistics count."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    tickets = Ticket.objects.filter(citizen=citizen)
    ticket_ids = list(tickets.values_list("pk", flat=True))
    _allow_event_rewrite()

    files = list(Attachment.objects.filter(ticket_id__in=ticket_ids).values_list("file", flat=True))
    attachments_deleted, _detail = Attachment.objects.filter(ticket_id__in=ticket_ids).delete()
    messages = Message.objects.filter(ticket_id__in=ticket_ids).update(
        text="", html="", sender="", subject="", delivery_error="", external_id=""
    )
    tickets.update(subject="", case_file_ref="")
    events = 0
    for event in TicketEvent.objects.filter(ticket_id__in=ticket_ids).only("pk", "data"):
        scrubbed = _scrub_event_data(event.data)
        if scrubbed != event.data:
            TicketEvent.objects.filter(pk=event.pk).update(data=scrubbed)
            events += 1
    raw_inputs = _scrub_raw_inputs(ticket_ids)

    citizen.first_name = citizen.last_name = citizen.email = citizen.whatsapp_id = ""
    citizen.phone = citizen.phone_alt = ""
    citizen.anonymized_at = timezone.now()
    citizen.save()
    summary = {
        "tickets": len(ticket_ids),
        "messages": messages,
        "attachments": attachments_deleted,
        "events": events,
        "raw_inputs": raw_inputs,
    }
    DataSubjectRequest.objects.create(
        kind=kind,
        citizen=citizen,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:500],
        details=summary,
    )
    # Files go once the rows are gone for good: a rollback must not leave rows without files.
    transaction.on_commit(lambda: _delete_files(files))
    return summary


def _scrub_raw_inputs(ticket_ids: list[int]) -> int:
    """The raw e-mails and webhook bodies behind these tickets carry the same personal data."""
    try:
        from channels_app.models import InboundMessage
    except ImportError:  # pragma: no cover - the channels app is always installed
        return 0
    return InboundMessage.objects.filter(ticket_id__in=ticket_ids).update(raw=b"", metadata={}, error="")


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete %s from storage", name)


def erase_citizen(citizen: Citizen, *, actor, via: str, reason: str) -> dict:
    """Erasure on request (GDPR art. 17): the same anonymizer, logged as an access and an audit entry."""
    with transaction.atomic():
        summary = anonymize_citizen(citizen, actor=actor, reason=reason, kind=DataSubjectRequest.Kind.ERASURE)
        record_access(actor, citizen=citizen, via=via, reason=reason, action=AccessLog.Action.ERASE)
    return summary


def expired_citizens(now: datetime | None = None) -> QuerySet[Citizen]:
    """Citizens whose every ticket closed longer ago than its office's retention period."""
    now = now or timezone.now()
    still_kept = Q(status__in=[s for s in Status.values if s != Status.CLOSED]) | Q(closed_at__isnull=True)
    for office_id, months in Office.objects.values_list("pk", "retention_months"):
        still_kept |= Q(office_id=office_id, closed_at__gt=now - relativedelta(months=months))
    blocking = Ticket.objects.filter(still_kept, citizen_id=OuterRef("pk"))
    any_ticket = Ticket.objects.filter(citizen_id=OuterRef("pk"))
    return (
        Citizen.objects.filter(anonymized_at__isnull=True)
        .filter(Exists(any_ticket))
        .exclude(Exists(blocking))
        .order_by("pk")
    )


def anonymize_expired_citizens(*, now: datetime | None = None, limit: int | None = None) -> int:
    """The retention job: one transaction per citizen, so a failure stops one, not the batch."""
    done = 0
    ids = list(expired_citizens(now).values_list("pk", flat=True))
    if limit:
        ids = ids[:limit]
    for citizen_id in ids:
        citizen = Citizen.objects.get(pk=citizen_id)
        anonymize_citizen(citizen, reason="retention", kind=DataSubjectRequest.Kind.RETENTION)
        done += 1
    return done
