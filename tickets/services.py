"""Every write to the CRM core: one transaction, one TicketEvent, side effects on commit.

`actor` is the staff user acting, or None when the system or the citizen acts
(ingestion, the portal). Staff actors go through the access rules in access.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Upper
from django.dispatch import Signal
from django.utils import timezone

from contactcenter.db import update_rows

from . import errors
from .access import access_ticket, can_see_ticket, can_work_queue, get_operator
from .calendar import get_calendar
from .models import (
    TRANSITIONS,
    Attachment,
    Channel,
    Citizen,
    Message,
    Office,
    Queue,
    Status,
    Ticket,
    TicketEvent,
    Tier,
    Topic,
)
from .references import allocate_reference, allocate_references

# Channels whose requests are due by the office's next working day, whatever the queue's target.
NEXT_WORKING_DAY_CHANNELS = {Channel.VOICEMAIL}

# Sent after commit whenever a ticket changed (kwargs: office_id, created_at); statistics listen.
ticket_changed = Signal()
# Inside coalesced_ticket_changes(): the changes to announce, one per (office, local day of creation).
_pending_changes: ContextVar[dict | None] = ContextVar("pending_ticket_changes", default=None)


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    inline: bool = False


# ----------------------------------------------------------------------------- helpers


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    public: bool = False,
    at: datetime | None = None,
    **data: object,
) -> TicketEvent:
    event = _event(
        ticket, kind, actor=actor, from_status=from_status, to_status=to_status, public=public, at=at, **data
    )
    event.save(force_insert=True)
    return event


def _event(
    ticket: Ticket,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    public: bool = False,
    at: datetime | None = None,
    **data: object,
) -> TicketEvent:
    """record_event's row, not saved yet (the batch paths save theirs in one INSERT); the change is announced."""
    _announce_change(ticket)
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        public=public,
        data=data,
        created_at=at or timezone.now(),
    )


def _announce_change(ticket: Ticket) -> None:
    """ticket_changed after commit: at once, or once per office and day inside coalesced_ticket_changes()."""
    pending = _pending_changes.get()
    if pending is not None:
        day = timezone.localtime(ticket.created_at).date()
        pending.setdefault((ticket.office_id, day), ticket.created_at)
    else:
        transaction.on_commit(
            partial(
                ticket_changed.send_robust, sender=Ticket, office_id=ticket.office_id, created_at=ticket.created_at
            )
        )


@contextmanager
def coalesced_ticket_changes() -> Iterator[None]:
    """Announce ticket_changed once per (office, day) when the block ends, not once per event.

    For a caller that writes many tickets in one transaction (ingestion in batches): the
    receivers (desk list cache, statistics) need to hear of each office and day once. Wrap the
    whole transaction: the announcements go out after it committed, and not at all if it
    raised. An item rolled back to its savepoint inside may still be announced: harmless.
    """
    pending: dict = {}
    token = _pending_changes.set(pending)
    try:
        yield
    finally:
        _pending_changes.reset(token)
    for (office_id, _day), created_at in pending.items():
        ticket_changed.send_robust(sender=Ticket, office_id=office_id, created_at=created_at)


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != ticket.version:
        raise errors.StaleTicket(reference=ticket.reference)


def _refuse(ticket: Ticket, to_status: str) -> errors.IllegalTransition:
    return errors.IllegalTransition(
        reference=ticket.reference, from_status=Status(ticket.status).label, to_status=Status(to_status).label
    )


def _check_transition(ticket: Ticket, to_status: str) -> None:
    if to_status not in TRANSITIONS[ticket.status]:
        raise _refuse(ticket, to_status)


def _write_note(ticket: Ticket, actor, text: str) -> Message | None:
    """An internal note on the ticket, when there is something to say."""
    if not (text or "").strip():
        return None
    return Message.objects.create(
        ticket=ticket, direction=Message.Direction.NOTE, channel=ticket.channel, author=actor, text=text.strip()
    )


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.version = F("version") + 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])
    ticket.refresh_from_db(fields=["version"])


def _load(actor, ticket_id: int, expected_version: int | None = None) -> Ticket:
    ticket = access_ticket(actor, ticket_id, lock=True)
    _check_version(ticket, expected_version)
    return ticket


def _active_status_for(ticket: Ticket) -> str:
    return Status.IN_PROGRESS if ticket.tier == Tier.BACK else Status.OPEN


def _display(user) -> str:
    operator = get_operator(user)
    if operator is not None:
        return operator.display_name
    return user.get_full_name() or user.get_username()


def _holder_name(ticket: Ticket) -> str:
    # Loaded by id: after waiting on a row lock, PostgreSQL re-reads the ticket row but
    # not the joined assignee, so the select_related copy may be stale or empty.
    from django.contrib.auth import get_user_model

    holder = get_user_model().objects.filter(pk=ticket.assignee_id).first()
    return _display(holder) if holder else "—"


def default_queue(office: Office, tier: str) -> Queue:
    queue = Queue.objects.filter(office=office, tier=tier, is_active=True).order_by("-is_default", "pk").first()
    if queue is None:
        raise errors.NoQueueConfigured(office=office.name, tier=Tier(tier).label)
    return queue


def default_office() -> Office:
    office = Office.objects.filter(is_active=True).order_by("pk").first()
    if office is None:
        raise errors.NoQueueConfigured(office="—", tier=Tier.FRONT.label)
    return office


def default_front_queue() -> Queue:
    """The first active office's default front-office queue, office loaded, in one query (ingestion)."""
    first_office = Office.objects.filter(is_active=True).order_by("pk").values("pk")[:1]
    queue = (
        Queue.objects.select_related("office")
        .filter(office_id=Subquery(first_office), tier=Tier.FRONT, is_active=True)
        .order_by("-is_default", "pk")
        .first()
    )
    return queue or default_queue(default_office(), Tier.FRONT)  # raises the precise error


def store_attachments(
    ticket: Ticket, message: Message | None, attachments: Iterable[NewAttachment]
) -> list[Attachment]:
    stored = [_attachment_row(ticket, message, item) for item in attachments]
    for attachment in stored:
        attachment.save()
    return stored


def _attachment_row(ticket: Ticket, message: Message | None, item: NewAttachment) -> Attachment:
    """The attachment's file written to storage, its row not yet saved."""
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=item.filename[:255],
        content_type=item.content_type[:100],
        size=len(item.payload),
        sha256=hashlib.sha256(item.payload).hexdigest(),
        content_id=item.content_id[:255],
        inline=item.inline,
    )
    attachment.file.save(item.filename[-100:] or "attachment.bin", ContentFile(item.payload), save=False)
    return attachment


def compute_due_dates(ticket: Ticket, received_at: datetime) -> None:
    calendar = get_calendar(ticket.office)
    if ticket.channel in NEXT_WORKING_DAY_CHANNELS:
        first = calendar.next_working_day_start(received_at)
    else:
        first = calendar.add_business_hours(received_at, ticket.queue.first_response_hours)
    ticket.first_response_due_at = first
    ticket.resolution_due_at = max(first, calendar.add_business_hours(received_at, ticket.queue.resolution_hours))
    ticket.due_at = ticket.first_response_due_at


# ----------------------------------------------------------------------------- citizens


@dataclass(frozen=True)
class Contact:
    """Who wrote, as get_or_create_citizen takes it."""

    email: str = ""
    phone: str = ""
    whatsapp_id: str = ""
    first_name: str = ""
    last_name: str = ""
    language: str = ""
    nationality: str = ""
    kind: str = ""
    consent_channel: str = ""


def _blanks_to_fill(citizen: Citizen, contact: Contact) -> list[str]:
    """The known citizen's fields this contact completes (never overwrites): numbers, address, names."""
    fields = ("whatsapp_id", "phone", "email", "first_name", "last_name")
    return [field for field in fields if getattr(contact, field) and not getattr(citizen, field)]


def find_or_create_citizen(**contact: str) -> Citizen:
    """The citizen owning this contact (WhatsApp id, then phone, then email), created when unknown.

    Takes the keyword arguments of get_or_create_citizen.
    """
    return get_or_create_citizen(**contact)[0]


_RANKED_IN_PYTHON = 20


def _match_rank(whatsapp_id: str, phone: str, citizen: Citizen) -> int:
    if whatsapp_id and citizen.whatsapp_id == whatsapp_id:
        return 0
    if phone and citizen.phone == phone:
        return 1
    return 2


def get_or_create_citizen(
    *,
    email: str = "",
    phone: str = "",
    whatsapp_id: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    nationality: str = "",
    kind: str = "",
    consent_channel: str = "",
) -> tuple[Citizen, bool]:
    """find_or_create_citizen, and whether the citizen was created now (then they have no tickets yet)."""
    lookups = [
        (lookup, value)
        for lookup, value in (("whatsapp_id", whatsapp_id), ("phone", phone), ("email__iexact", email))
        if value
    ]
    citizen = None
    if len(lookups) == 1:  # the usual case (an e-mail, a WhatsApp number): no ranking to compute
        citizen = Citizen.objects.filter(**dict(lookups)).order_by("-pk").first()
    elif lookups:
        # Matches ranked WhatsApp id, phone, e-mail, newest first. Usually a row or two match:
        # rank them here (a row that matches neither number matched by e-mail); the CASE
        # ranking in SQL, which costs Django more than running it, only for a crowd.
        matches = Q(pk__in=[])
        for lookup, value in lookups:
            matches |= Q(**{lookup: value})
        candidates = list(Citizen.objects.filter(matches).order_by("-pk")[: _RANKED_IN_PYTHON + 1])
        if len(candidates) <= _RANKED_IN_PYTHON:
            citizen = min(candidates, key=partial(_match_rank, whatsapp_id, phone), default=None)
        else:
            ranks = [When(Q(**{lookup: value}), then=Value(rank)) for rank, (lookup, value) in enumerate(lookups)]
            order = Case(*ranks, default=Value(len(ranks)), output_field=IntegerField())
            citizen = Citizen.objects.filter(matches).order_by(order, "-pk").first()
    contact = Contact(email, phone, whatsapp_id, first_name, last_name, language, nationality, kind, consent_channel)
    if citizen is not None:
        changed = _blanks_to_fill(citizen, contact)
        if changed:
            for field in changed:
                setattr(citizen, field, getattr(contact, field))
            citizen.save(update_fields=[*changed, "updated_at"])
        return citizen, False
    citizen = _new_citizen(contact)
    citizen.save(force_insert=True)
    return citizen, True


def get_or_create_citizens(contacts: Sequence[Contact]) -> list[tuple[Citizen, bool] | None]:
    """get_or_create_citizen for each contact in turn, in two statements: an ingestion batch's senders.

    The same citizens, ranked the same way; contacts with the same numbers and address share one
    new citizen (created for the first, its blank names filled by the next ones). None where a
    contact must go through get_or_create_citizen alone, after the others: a known citizen it
    would complete, more matches than are ranked in Python, an address PostgreSQL and Python
    may not upper-case alike, or a number or address shared with a new citizen of other numbers.
    """
    phone_field = Citizen._meta.get_field("phone")
    keys = []  # per contact: ((field, value) it is looked up by, ...), None when it goes alone
    for contact in contacts:
        phone = phone_field.get_prep_value(contact.phone) if contact.phone else ""
        values = (("whatsapp_id", contact.whatsapp_id), ("phone", str(phone or "")), ("email", contact.email.upper()))
        looked_up = tuple(pair for pair in values if pair[1])
        keys.append(looked_up if looked_up and contact.email.isascii() else None)
    wanted: dict[str, set[str]] = {"whatsapp_id": set(), "phone": set(), "email": set()}
    for looked_up in filter(None, keys):
        for field_name, value in looked_up:
            wanted[field_name].add(value)
    index: dict[tuple[str, str], list[Citizen]] = {}
    if any(wanted.values()):
        matches = Q(pk__in=[])
        for lookup, field_name in (
            ("whatsapp_id__in", "whatsapp_id"),
            ("phone_key__in", "phone"),
            ("email_key__in", "email"),
        ):
            if wanted[field_name]:
                matches |= Q(**{lookup: sorted(wanted[field_name])})
        found = Citizen.objects.annotate(
            phone_key=Cast("phone", output_field=TextField()), email_key=Upper("email")
        ).filter(matches)
        for citizen in found.order_by("-pk"):
            for pair in (
                ("whatsapp_id", citizen.whatsapp_id),
                ("phone", citizen.phone_key),
                ("email", citizen.email_key),
            ):
                if pair[1] and pair[1] in wanted[pair[0]]:
                    index.setdefault(pair, []).append(citizen)
    results: list[tuple[Citizen, bool] | None] = []
    new: dict[tuple, Citizen] = {}  # contacts' keys -> the citizen created for the first of them
    claimed: dict[tuple[str, str], tuple] = {}  # a new citizen's number or address -> its key
    for contact, looked_up in zip(contacts, keys, strict=True):
        if looked_up is None or any(claimed.get(pair, looked_up) != looked_up for pair in looked_up):
            results.append(None)
            continue
        if looked_up in new:
            citizen = new[looked_up]
            for field_name in ("first_name", "last_name"):
                if not getattr(citizen, field_name):
                    setattr(citizen, field_name, getattr(contact, field_name)[:150])
            results.append((citizen, False))
            continue
        candidates = list({c.pk: c for pair in looked_up for c in index.get(pair, ())}.values())
        if candidates:
            candidates.sort(key=lambda c: -c.pk)
            citizen = min(candidates, key=partial(_match_rank, contact.whatsapp_id, contact.phone))
            if len(candidates) > _RANKED_IN_PYTHON or _blanks_to_fill(citizen, contact):
                results.append(None)
                continue
            results.append((citizen, False))
            continue
        citizen = _new_citizen(contact)
        new[looked_up] = citizen
        claimed.update(dict.fromkeys(looked_up, looked_up))
        results.append((citizen, True))
    Citizen.objects.bulk_create(list(new.values()))
    return results


def _new_citizen(contact: Contact) -> Citizen:
    return Citizen(
        email=contact.email,
        phone=contact.phone,
        whatsapp_id=contact.whatsapp_id,
        first_name=contact.first_name[:150],
        last_name=contact.last_name[:150],
        preferred_language=contact.language or "it",
        nationality=contact.nationality,
        kind=contact.kind or Citizen.Kind.OTHER,
        consent_channel=contact.consent_channel,
    )


# ----------------------------------------------------------------------------- opening and messages


@transaction.atomic
def open_ticket(
    *,
    citizen: Citizen,
    channel: str,
    subject: str = "",
    text: str = "",
    html: str = "",
    office: Office | None = None,
    queue: Queue | None = None,
    topic: Topic | None = None,
    language: str = "",
    priority: int = Ticket.Priority.NORMAL,
    actor=None,
    sender: str = "",
    external_id: str = "",
    received_at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
    case_file_ref: str = "",
    direction: str = Message.Direction.INBOUND,
) -> Ticket:
    """Open an istanza with its first message (the citizen's words, or the operator's log of a call)."""
    received_at = received_at or timezone.now()
    if queue is not None:
        office = queue.office
    elif office is None:
        queue = default_front_queue()
        office = queue.office
    queue = queue or default_queue(office, Tier.FRONT)
    if actor is not None and not can_work_queue(actor, queue):
        raise errors.NotAllowed()
    ticket = _new_ticket(
        allocate_reference(timezone.localtime(received_at).year),
        citizen=citizen,
        queue=queue,
        channel=channel,
        language=language,
        subject=subject,
        topic=topic,
        priority=priority,
        case_file_ref=case_file_ref,
        received_at=received_at,
        inbound=direction == Message.Direction.INBOUND,
    )
    ticket.save()
    if text or html or attachments:
        message = _first_message(
            ticket,
            direction=direction,
            author=actor if direction != Message.Direction.INBOUND else None,
            sender=sender,
            text=text,
            html=html,
            external_id=external_id,
        )
        message.save(force_insert=True)
        store_attachments(ticket, message, attachments)
    record_event(
        ticket,
        TicketEvent.Kind.CREATED,
        actor=actor,
        to_status=Status.NEW,
        public=True,
        at=received_at,
        channel=channel,
    )
    return ticket


def _new_ticket(
    reference: str,
    *,
    citizen: Citizen,
    queue: Queue,
    channel: str,
    received_at: datetime,
    language: str = "",
    subject: str = "",
    topic: Topic | None = None,
    priority: int = Ticket.Priority.NORMAL,
    case_file_ref: str = "",
    inbound: bool = True,
) -> Ticket:
    """A new ticket in `queue` (office loaded), its due dates computed, not saved yet."""
    ticket = Ticket(
        reference=reference,
        citizen=citizen,
        channel=channel,
        language=language or citizen.preferred_language,
        subject=subject[:255],
        topic=topic,
        office=queue.office,
        queue=queue,
        tier=queue.tier,
        priority=priority,
        case_file_ref=case_file_ref,
        created_at=received_at,
        last_citizen_message_at=received_at if inbound else None,
    )
    compute_due_dates(ticket, received_at)
    return ticket


def _first_message(
    ticket: Ticket,
    *,
    direction: str = Message.Direction.INBOUND,
    author=None,
    sender: str = "",
    text: str = "",
    html: str = "",
    external_id: str = "",
) -> Message:
    """The message a new ticket opens with, sent when the ticket was received; not saved yet."""
    return Message(
        ticket=ticket,
        direction=direction,
        channel=ticket.channel,
        author=author,
        sender=sender[:255],
        subject=ticket.subject,
        text=text,
        html=html,
        external_id=external_id[:255],
        created_at=ticket.created_at,
    )


@dataclass(kw_only=True)
class Incoming:
    """A citizen's message as ingestion writes it with others (open_tickets, add_inbound_messages)."""

    channel: str
    subject: str = ""
    text: str = ""
    html: str = ""
    sender: str = ""
    external_id: str = ""
    received_at: datetime | None = None
    attachments: Sequence[NewAttachment] = ()
    notices: Sequence[dict] = ()  # each an UPDATED event on the ticket (what the adapter withheld)


@dataclass(kw_only=True)
class NewRequest(Incoming):
    """One that opens a request: open_ticket's arguments, the citizen known."""

    citizen: Citizen
    queue: Queue  # office loaded
    language: str = ""


@transaction.atomic
def open_tickets(requests: Sequence[NewRequest]) -> list[Ticket]:
    """open_ticket for each request, in one statement per table: the ingestion of a batch.

    The same rows as open_ticket one by one (reference, due dates, first message, attachments,
    the CREATED event), and an UPDATED event per notice; ticket_changed is announced as
    record_event does. One statement per table instead of one per row: at 450 requests a
    second, the round trips and Django's per-row work were most of the cost.
    """
    now = timezone.now()
    received = [request.received_at or now for request in requests]
    references = allocate_references([timezone.localtime(at).year for at in received])
    tickets = [
        _new_ticket(
            reference,
            citizen=request.citizen,
            queue=request.queue,
            channel=request.channel,
            language=request.language,
            subject=request.subject,
            received_at=at,
        )
        for request, at, reference in zip(requests, received, references, strict=True)
    ]
    Ticket.objects.bulk_create(tickets)
    firsts = [
        (ticket, request, _first_message(ticket, sender=request.sender, text=request.text, html=request.html,
                                         external_id=request.external_id))
        for ticket, request in zip(tickets, requests, strict=True)
        if request.text or request.html or request.attachments
    ]  # fmt: skip
    Message.objects.bulk_create([message for _ticket, _request, message in firsts])
    Attachment.objects.bulk_create(
        [_attachment_row(ticket, message, item) for ticket, request, message in firsts for item in request.attachments]
    )
    events = []
    for ticket, request in zip(tickets, requests, strict=True):
        created = _event(
            ticket, TicketEvent.Kind.CREATED, to_status=Status.NEW, public=True, at=ticket.created_at,
            channel=ticket.channel,
        )  # fmt: skip
        events += [created, *_notice_events(ticket, request.notices, now)]
    TicketEvent.objects.bulk_create(events)
    return tickets


@transaction.atomic
def add_inbound_message(
    *,
    ticket: Ticket,
    text: str,
    channel: str,
    subject: str = "",
    html: str = "",
    sender: str = "",
    external_id: str = "",
    received_at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """The citizen wrote again: thread it, and wake the ticket if it was waiting or resolved."""
    received_at = received_at or timezone.now()
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("queue", "office").get(pk=ticket.pk)
    message = _citizen_message(
        ticket, channel=channel, sender=sender, subject=subject, text=text, html=html, external_id=external_id,
        at=received_at,
    )  # fmt: skip
    message.save(force_insert=True)
    store_attachments(ticket, message, attachments)
    previous, fields = _wake(ticket, received_at)
    ticket.save(update_fields=[*fields, "version", "updated_at"])
    for event in _woken_events(ticket, message, previous, ticket.status, received_at):
        event.save(force_insert=True)
    return message


def _citizen_message(
    ticket: Ticket, *, channel: str, sender: str, subject: str, text: str, html: str, external_id: str, at: datetime
) -> Message:
    """What the citizen wrote on a known ticket, not saved yet."""
    return Message(
        ticket=ticket,
        direction=Message.Direction.INBOUND,
        channel=channel,
        sender=sender[:255],
        subject=subject[:255],
        text=text,
        html=html,
        external_id=external_id[:255],
        created_at=at,
    )


def _wake(ticket: Ticket, received_at: datetime) -> tuple[str, list[str]]:
    """The citizen wrote (the row is locked): a waiting ticket moves, a resolved one reopens.

    Sets the fields (not saved); returns the previous status and the fields changed besides
    version, which is bumped here: the lock spares reading the new version back.
    """
    previous = ticket.status
    ticket.last_citizen_message_at = received_at
    fields = ["last_citizen_message_at"]
    if previous == Status.WAITING_CITIZEN:
        ticket.status = _active_status_for(ticket) if ticket.assignee_id else Status.NEW
        fields.append("status")
    elif previous in (Status.RESOLVED, Status.CLOSED):
        ticket.status = Status.REOPENED
        ticket.resolved_at = ticket.closed_at = None
        fields += ["status", "resolved_at", "closed_at"]
    ticket.version += 1
    return previous, fields


def _woken_events(
    ticket: Ticket, message: Message, previous: str, status: str, received_at: datetime
) -> list[TicketEvent]:
    """The timeline rows of a message received (and of the reopening it caused), not saved yet.

    `previous` -> `status`: what this message did to the ticket."""
    events = [
        _event(
            ticket, TicketEvent.Kind.MESSAGE_RECEIVED, from_status=previous, to_status=status, public=True,
            at=received_at, message_id=message.pk, channel=message.channel,
        )
    ]  # fmt: skip
    if status == Status.REOPENED and previous != Status.REOPENED:
        events.append(
            _event(ticket, TicketEvent.Kind.REOPENED, from_status=previous, to_status=Status.REOPENED, public=True)
        )
    return events


def _notice_events(ticket: Ticket, notices: Sequence[dict], at: datetime) -> list[TicketEvent]:
    """An UPDATED row per notice (what an adapter withheld from the message), not saved yet."""
    return [_event(ticket, TicketEvent.Kind.UPDATED, at=at, **notice) for notice in notices]


@dataclass(kw_only=True)
class NewMessage(Incoming):
    """One that goes on a known request: add_inbound_message's arguments."""

    ticket_id: int


@transaction.atomic
def add_inbound_messages(messages: Sequence[NewMessage]) -> list[Ticket]:
    """add_inbound_message for each, in turn, in one statement per table: the ingestion of a batch.

    The tickets are locked in one statement, in id order, so that two batches doing this never
    wait on each other in a cycle; several messages on one ticket are applied in turn, each
    counted in its version. Returns each message's ticket, as written.
    """
    now = timezone.now()
    locked = Ticket.objects.select_for_update().filter(pk__in={m.ticket_id for m in messages}).order_by("pk")
    tickets = {ticket.pk: ticket for ticket in locked}
    rows, woken = [], []
    for new in messages:
        ticket = tickets[new.ticket_id]
        at = new.received_at or now
        message = _citizen_message(
            ticket, channel=new.channel, sender=new.sender, subject=new.subject, text=new.text, html=new.html,
            external_id=new.external_id, at=at,
        )  # fmt: skip
        rows.append(message)
        woken.append((ticket, _wake(ticket, at)[0], ticket.status, at))
    Message.objects.bulk_create(rows)
    Attachment.objects.bulk_create(
        [_attachment_row(m.ticket, m, item) for m, new in zip(rows, messages, strict=True) for item in new.attachments]
    )
    for ticket in tickets.values():
        ticket.updated_at = now
    fields = ["last_citizen_message_at", "status", "resolved_at", "closed_at", "version", "updated_at"]
    update_rows(Ticket, list(tickets.values()), fields)
    events = []
    for message, new, (ticket, previous, status, at) in zip(rows, messages, woken, strict=True):
        events += _woken_events(ticket, message, previous, status, at) + _notice_events(ticket, new.notices, now)
    TicketEvent.objects.bulk_create(events)
    return [tickets[new.ticket_id] for new in messages]


# ----------------------------------------------------------------------------- operator actions


@transaction.atomic
def take_ticket(*, actor, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """Self-assign. Of two operators taking one ticket at once, exactly one wins."""
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.assignee_id is not None:
        if ticket.assignee_id == actor.pk:
            return ticket
        raise errors.TicketAlreadyTaken(reference=ticket.reference, operator=_holder_name(ticket))
    to_status = _active_status_for(ticket)
    if ticket.status != to_status:
        _check_transition(ticket, to_status)
    # The condition in the UPDATE settles the race where row locks do not exist (SQLite).
    won = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).update(
        assignee=actor, status=to_status, version=F("version") + 1, updated_at=timezone.now()
    )
    if not won:
        ticket.refresh_from_db(fields=["assignee"])
        raise errors.TicketAlreadyTaken(reference=ticket.reference, operator=_holder_name(ticket))
    previous = ticket.status
    ticket.refresh_from_db()
    record_event(ticket, TicketEvent.Kind.TAKEN, actor=actor, from_status=previous, to_status=to_status, public=True)
    return ticket


@transaction.atomic
def assign_ticket(*, actor, ticket_id: int, assignee, expected_version: int | None = None) -> Ticket:
    ticket = _load(actor, ticket_id, expected_version)
    if not ticket.is_active:
        raise _refuse(ticket, Status.OPEN)
    if not can_see_ticket(assignee, ticket) and not can_work_queue(assignee, ticket.queue):
        raise errors.InvalidAssignee(name=_display(assignee))
    previous_status, previous_assignee = ticket.status, ticket.assignee_id
    ticket.assignee = assignee
    fields = ["assignee"]
    if ticket.status in (Status.NEW, Status.ESCALATED, Status.REOPENED):
        ticket.status = _active_status_for(ticket)
        fields.append("status")
    _save(ticket, *fields)
    record_event(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        actor=actor,
        from_status=previous_status,
        to_status=ticket.status,
        assignee=_display(assignee),
        assignee_id=assignee.pk,
        previous_assignee_id=previous_assignee,
    )
    return ticket


@transaction.atomic
def escalate_ticket(
    *, actor, ticket_id: int, reason: str, queue: Queue | None = None, expected_version: int | None = None
) -> Ticket:
    """Front office hands the request to the back office, which keeps it until resolution."""
    if not (reason or "").strip():
        raise errors.ReasonRequired()
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.tier == Tier.BACK and ticket.status != Status.REOPENED:
        raise _refuse(ticket, Status.ESCALATED)
    _check_transition(ticket, Status.ESCALATED)
    target = queue or default_queue(ticket.office, Tier.BACK)
    if target.tier != Tier.BACK:
        raise errors.InvalidAssignee(name=str(target))
    previous = ticket.status
    ticket.status, ticket.tier, ticket.queue, ticket.assignee = Status.ESCALATED, Tier.BACK, target, None
    ticket.escalated_at = timezone.now()
    _save(ticket, "status", "tier", "queue", "assignee", "escalated_at")
    record_event(
        ticket,
        TicketEvent.Kind.ESCALATED,
        actor=actor,
        from_status=previous,
        to_status=Status.ESCALATED,
        public=True,
        reason=reason.strip(),
        queue=target.name,
        queue_id=target.pk,
    )
    return ticket


@transaction.atomic
def return_to_front_office(*, actor, ticket_id: int, note: str, expected_version: int | None = None) -> Ticket:
    if not (note or "").strip():
        raise errors.ReasonRequired()
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.tier != Tier.BACK:
        raise _refuse(ticket, Status.OPEN)
    _check_transition(ticket, Status.OPEN)
    previous = ticket.status
    target = default_queue(ticket.office, Tier.FRONT)
    ticket.status, ticket.tier, ticket.queue, ticket.assignee = Status.OPEN, Tier.FRONT, target, None
    _save(ticket, "status", "tier", "queue", "assignee")
    _write_note(ticket, actor, note)
    record_event(
        ticket,
        TicketEvent.Kind.RETURNED,
        actor=actor,
        from_status=previous,
        to_status=Status.OPEN,
        note=note.strip(),
        queue=target.name,
    )
    return ticket


@transaction.atomic
def hand_to_official(
    *, actor, ticket_id: int, official_name: str, note: str = "", expected_version: int | None = None
) -> Ticket:
    """The back office connects the citizen with the named official who can consult their file.

    The expert keeps the request (and its deadline) until it is resolved; the hand-over is on the timeline.
    """
    if not (official_name or "").strip():
        raise errors.ReasonRequired()
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.tier != Tier.BACK or not ticket.is_active:
        raise _refuse(ticket, Status.IN_PROGRESS)
    previous = ticket.status
    fields = []
    if ticket.status != Status.IN_PROGRESS:
        _check_transition(ticket, Status.IN_PROGRESS)
        ticket.status = Status.IN_PROGRESS
        fields.append("status")
    if ticket.assignee_id is None:
        ticket.assignee = actor
        fields.append("assignee")
    _save(ticket, *fields)
    _write_note(ticket, actor, note)
    record_event(
        ticket,
        TicketEvent.Kind.HANDED_TO_OFFICIAL,
        actor=actor,
        from_status=previous,
        to_status=ticket.status,
        public=True,
        official=official_name.strip(),
        note=note.strip(),
    )
    return ticket


@transaction.atomic
def reply_to_ticket(
    *,
    actor,
    ticket_id: int,
    text: str,
    attachments: Sequence[NewAttachment] = (),
    expected_version: int | None = None,
) -> Message:
    """Answer the citizen on the ticket's channel; sending happens after commit, with retries."""
    if not (text or "").strip():
        raise errors.TextRequired()
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.status == Status.CLOSED:
        raise _refuse(ticket, Status.OPEN)
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel=ticket.channel,
        author=actor,
        subject=ticket.subject,
        text=text.strip(),
        delivery_status=Message.Delivery.PENDING,
        created_at=now,
    )
    store_attachments(ticket, message, attachments)
    previous = ticket.status
    fields: list[str] = []
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        ticket.due_at = ticket.resolution_due_at
        fields += ["first_responded_at", "due_at"]
    if ticket.status in (Status.NEW, Status.REOPENED, Status.ESCALATED):
        ticket.status = _active_status_for(ticket)
        fields.append("status")
    if ticket.assignee_id is None:
        ticket.assignee = actor
        fields.append("assignee")
    _save(ticket, *fields)
    record_event(
        ticket,
        TicketEvent.Kind.REPLIED,
        actor=actor,
        from_status=previous,
        to_status=ticket.status,
        public=True,
        message_id=message.pk,
    )
    from channels_app.outbound import queue_outbound_message  # the channel layer sits beside, not below

    transaction.on_commit(partial(queue_outbound_message, message.pk))
    return message


@transaction.atomic
def add_note(*, actor, ticket_id: int, text: str, attachments: Sequence[NewAttachment] = ()) -> Message:
    if not (text or "").strip():
        raise errors.TextRequired()
    ticket = _load(actor, ticket_id)
    message = _write_note(ticket, actor, text)
    store_attachments(ticket, message, attachments)
    _save(ticket)
    record_event(ticket, TicketEvent.Kind.NOTE, actor=actor, message_id=message.pk)
    return message


@transaction.atomic
def wait_for_citizen(*, actor, ticket_id: int, expected_version: int | None = None) -> Ticket:
    ticket = _load(actor, ticket_id, expected_version)
    _check_transition(ticket, Status.WAITING_CITIZEN)
    previous = ticket.status
    ticket.status = Status.WAITING_CITIZEN
    _save(ticket, "status")
    record_event(
        ticket, TicketEvent.Kind.WAITING, actor=actor, from_status=previous, to_status=ticket.status, public=True
    )
    return ticket


@transaction.atomic
def resolve_ticket(
    *, actor, ticket_id: int, outcome: str, note: str = "", expected_version: int | None = None
) -> Ticket:
    if outcome not in Ticket.Outcome.values:
        raise errors.ReasonRequired()
    ticket = _load(actor, ticket_id, expected_version)
    _check_transition(ticket, Status.RESOLVED)
    previous = ticket.status
    ticket.status, ticket.outcome, ticket.resolved_at = Status.RESOLVED, outcome, timezone.now()
    fields = ["status", "outcome", "resolved_at"]
    if ticket.assignee_id is None and actor is not None:
        ticket.assignee = actor
        fields.append("assignee")
    _save(ticket, *fields)
    _write_note(ticket, actor, note)
    record_event(
        ticket,
        TicketEvent.Kind.RESOLVED,
        actor=actor,
        from_status=previous,
        to_status=Status.RESOLVED,
        public=True,
        outcome=outcome,
    )
    return ticket


@transaction.atomic
def close_ticket(*, actor, ticket_id: int, expected_version: int | None = None) -> Ticket:
    ticket = _load(actor, ticket_id, expected_version)
    _check_transition(ticket, Status.CLOSED)
    previous = ticket.status
    ticket.status, ticket.closed_at = Status.CLOSED, timezone.now()
    _save(ticket, "status", "closed_at")
    record_event(
        ticket, TicketEvent.Kind.CLOSED, actor=actor, from_status=previous, to_status=Status.CLOSED, public=True
    )
    return ticket


@transaction.atomic
def reopen_ticket(*, actor, ticket_id: int, reason: str = "", expected_version: int | None = None) -> Ticket:
    ticket = _load(actor, ticket_id, expected_version)
    if ticket.merged_into_id:
        raise errors.MergeNotAllowed(
            primary=ticket.merged_into.reference, duplicate=ticket.reference, why="merged requests stay closed"
        )
    _check_transition(ticket, Status.REOPENED)
    previous = ticket.status
    ticket.status, ticket.resolved_at, ticket.closed_at = Status.REOPENED, None, None
    _save(ticket, "status", "resolved_at", "closed_at")
    record_event(
        ticket,
        TicketEvent.Kind.REOPENED,
        actor=actor,
        from_status=previous,
        to_status=Status.REOPENED,
        public=True,
        reason=reason.strip(),
    )
    return ticket


@transaction.atomic
def change_topic(*, actor, ticket_id: int, topic: Topic | None, expected_version: int | None = None) -> Ticket:
    ticket = _load(actor, ticket_id, expected_version)
    previous = ticket.topic
    ticket.topic = topic
    _save(ticket, "topic")
    record_event(
        ticket,
        TicketEvent.Kind.TOPIC_CHANGED,
        actor=actor,
        old=previous.name if previous else "",
        new=topic.name if topic else "",
    )
    return ticket


@transaction.atomic
def change_priority(*, actor, ticket_id: int, priority: int, expected_version: int | None = None) -> Ticket:
    if int(priority) not in Ticket.Priority.values:
        raise errors.ReasonRequired()
    ticket = _load(actor, ticket_id, expected_version)
    previous = ticket.priority
    ticket.priority = int(priority)
    _save(ticket, "priority")
    record_event(ticket, TicketEvent.Kind.PRIORITY_CHANGED, actor=actor, old=previous, new=int(priority))
    return ticket


@transaction.atomic
def merge_tickets(*, actor, primary_id: int, duplicate_id: int) -> Ticket:
    """Fold a duplicate request of the same citizen into the primary one; the duplicate is closed."""
    if primary_id == duplicate_id:
        raise errors.MergeNotAllowed(primary="—", duplicate="—", why="a request cannot be merged with itself")
    # Lock in primary-key order so two opposite merges cannot deadlock.
    first, second = sorted([primary_id, duplicate_id])
    locked = {first: access_ticket(actor, first, lock=True), second: access_ticket(actor, second, lock=True)}
    primary, duplicate = locked[primary_id], locked[duplicate_id]
    if primary.citizen_id != duplicate.citizen_id:
        raise errors.MergeNotAllowed(
            primary=primary.reference, duplicate=duplicate.reference, why="they belong to different citizens"
        )
    if duplicate.merged_into_id or primary.merged_into_id:
        raise errors.MergeNotAllowed(
            primary=primary.reference, duplicate=duplicate.reference, why="one of them is already merged"
        )
    if not primary.is_active:
        raise errors.MergeNotAllowed(
            primary=primary.reference, duplicate=duplicate.reference, why="the primary request is not active"
        )
    moved = Message.objects.filter(ticket=duplicate).update(ticket=primary)
    Attachment.objects.filter(ticket=duplicate).update(ticket=primary)
    previous = duplicate.status
    duplicate.status, duplicate.merged_into, duplicate.outcome = Status.CLOSED, primary, Ticket.Outcome.DUPLICATE
    duplicate.closed_at = timezone.now()
    _save(duplicate, "status", "merged_into", "outcome", "closed_at")
    _save(primary)
    record_event(
        duplicate,
        TicketEvent.Kind.MERGED,
        actor=actor,
        from_status=previous,
        to_status=Status.CLOSED,
        public=True,
        into=primary.reference,
    )
    record_event(primary, TicketEvent.Kind.MERGED, actor=actor, merged=duplicate.reference, messages=moved)
    return primary
