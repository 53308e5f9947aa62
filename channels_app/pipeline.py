"""Raw input in, istanze out: store first, then process idempotently, quarantine what fails.

store_inbound() is called by every adapter entry point (IMAP poller, webhooks, the web form,
ingest_email) and commits the raw bytes before anything else. ingest_inbound() runs in the
Celery worker (or inline for the web form) and is safe to run twice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from contactcenter.db import insert_unless_present, update_rows
from tickets import services
from tickets.models import ACTIVE_STATUSES, Channel, Citizen, Message, Queue, Ticket, TicketEvent, Topic
from tickets.selectors import find_open_ticket_for_citizen

from .base import ChannelUnavailable, InboundItem, InvalidInput, ParseResult, get_adapter
from .models import InboundMessage

logger = logging.getLogger(__name__)

# A new WhatsApp (or phone) message within this long of the citizen's open ticket threads onto it.
CONVERSATION_WINDOW = timedelta(days=7)
# Channels where a known sender's new message threads onto their open ticket (no reference to go by).
CONVERSATION_CHANNELS = ("whatsapp",)


# Inputs one worker claims and processes in one transaction (ingest_pending), each in its own savepoint:
# at most this many, and no more raw bytes than BATCH_BYTES (mail with big attachments comes fewer at a
# time, as the batch is held in memory, parsed, until it is written; a bigger input still comes alone).
# 64 rather than 32: 7 % more inputs a second in make bench-ingest, the statements per batch shared wider.
BATCH_SIZE = 64
BATCH_BYTES = 32 * 1024 * 1024
# Draining tasks at work at once (each holds a slot in the cache); more inputs only make batches bigger.
DEFAULT_DRAINERS = 2
SLOT_SECONDS = 60  # a slot whose drainer died frees itself after this long


@dataclass
class BatchContext:
    """What the inputs of one batch share, looked up once: the default queue, the acknowledgements to send."""

    front_queue: Queue | None = None
    acknowledgements: list = field(default_factory=list)  # (ticket, what build_outbound knows), sent after commit

    def default_front_queue(self) -> Queue:
        if self.front_queue is None:
            self.front_queue = services.default_front_queue()
        return self.front_queue


@dataclass
class IngestOutcome:
    inbound: InboundMessage
    created: list[Ticket]
    threaded: list[Ticket]
    ignored: str = ""
    quarantined: str = ""
    send_here: bool = False  # acknowledgements are sent by this process after commit (the worker)
    batch: BatchContext | None = None  # set when the input is processed with others (ingest_pending)


def content_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def store_inbound(
    *,
    channel: str,
    raw: bytes,
    external_id: str = "",
    source: str = "",
    content_type: str = "",
    metadata: dict | None = None,
    enqueue: bool = True,
) -> tuple[InboundMessage, bool]:
    """Commit the raw input; (record, created). A duplicate delivery returns the existing record."""
    key = (external_id or content_key(raw))[:255]
    inbound = InboundMessage(
        channel=channel,
        external_id=key,
        raw=raw,
        source=source[:200],
        content_type=content_type[:100],
        metadata=metadata or {},
    )
    if not insert_unless_present(inbound, ("channel", "external_id")):
        return InboundMessage.objects.get(channel=channel, external_id=key), False
    if enqueue:
        transaction.on_commit(partial(hand_to_worker, inbound.pk))
    return inbound, True


def hand_to_worker(inbound_id: int) -> None:
    """Get a worker onto the stored input: wake a draining task unless enough of them are at work.

    Without a broker (tasks run eagerly, in this process) the input is processed by itself, as
    before. Without a shared cache the slots cannot be seen by the workers: every input
    publishes a draining task, which finds the input gone when another one took it already;
    so does an input stored while the cache is down. Never raises for an unreachable broker:
    the input is committed, it waits RECEIVED for the sweep (contactcenter.broker).
    """
    from contactcenter.broker import enqueue
    from contactcenter.cache import CacheUnavailable, strict_cache

    from .tasks import drain_inbound, process_inbound

    if drain_inbound.app.conf.task_always_eager:
        process_inbound.delay(inbound_id)
        return
    if not _shared_cache():
        enqueue(drain_inbound, None)
        return
    slots = [_slot_key(slot) for slot in range(_drainers())]
    slot_cache = strict_cache()  # a slot taken for "cache down" would leave the input to the sweep
    try:
        held = slot_cache.get_many(slots)  # one round trip while every drainer is at work, the usual case under load
        for slot, key in enumerate(slots):
            if key not in held and slot_cache.add(key, 1, SLOT_SECONDS):
                if not enqueue(drain_inbound, slot):
                    slot_cache.delete(key)  # the broker is down: the next input tries again
                return
    except CacheUnavailable:
        enqueue(drain_inbound, None)
    # Every slot is held: a drainer that holds one releases it only after looking once more.


def _drainers() -> int:
    return max(1, int(getattr(settings, "SPORTELLO_INGEST_DRAINERS", DEFAULT_DRAINERS)))


def _shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _slot_key(slot: int) -> str:
    # Per database: two deployments (or test runs) sharing one Redis must not hold each other's slots.
    return f"ingest:drainer:{connection.settings_dict['NAME']}:{slot}"


def drain(slot: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Process waiting inputs batch after batch until none is left; returns how many were claimed.

    Holding slot `slot`, store_inbound publishes no task for new inputs: this loop finds them.
    Before leaving it frees the slot and looks once more, so an input stored while the slot
    was held (its store saw the slot taken) is never left behind: either this last look finds
    it, or its store found the slot free and woke a drainer.
    """
    total = 0
    try:
        while True:
            if slot is not None:
                cache.set(_slot_key(slot), 1, SLOT_SECONDS)
            claimed = ingest_pending(batch_size)
            total += claimed
            if claimed:
                continue
            if slot is None:
                return total
            cache.delete(_slot_key(slot))
            claimed = ingest_pending(batch_size)
            total += claimed
            if not claimed or not cache.add(_slot_key(slot), 1, SLOT_SECONDS):
                return total  # nothing left, or a new drainer holds the slot now
    except BaseException:
        if slot is not None:
            cache.delete(_slot_key(slot))  # let the next input wake another drainer at once
        raise


def _find_thread(item: InboundItem, channel: str, citizen, *, new_citizen: bool = False) -> Ticket | None:
    if item.reference:
        ticket = Ticket.objects.filter(reference=item.reference.upper()).first()
        while ticket is not None and ticket.merged_into_id:
            ticket = ticket.merged_into
        if ticket is not None:
            return ticket
    if item.in_reply_to:
        message = (
            # Every channel named: the unique (channel, external_id) index then finds them.
            Message.objects.filter(channel__in=Channel.values, external_id__in=_reply_ids(item))
            .select_related("ticket")
            .order_by("-created_at")
            .first()
        )
        if message is not None:
            ticket = message.ticket
            while ticket.merged_into_id:
                ticket = ticket.merged_into
            return ticket
    if citizen is not None and channel in CONVERSATION_CHANNELS and not new_citizen:  # a new citizen has no ticket
        since = (item.received_at or timezone.now()) - CONVERSATION_WINDOW
        return find_open_ticket_for_citizen(citizen, channel=channel, since=since)
    return None


def _reply_ids(item: InboundItem) -> list[str]:
    return [i.strip("<>") for i in item.in_reply_to if i]


def _already_ingested(inbound: InboundMessage, item: InboundItem) -> bool:
    return bool(item.external_id) and (
        Message.objects.filter(channel=inbound.channel, external_id=item.external_id[:255]).exists()
    )


def _ingest_item(inbound: InboundMessage, item: InboundItem, outcome: IngestOutcome) -> None:
    # Already ingested (the same message through another input)? Not asked up front on every
    # message: the unique (channel, external_id) of messages refuses the second copy inside the
    # service's savepoint, which rolls back that ticket or message alone.
    try:
        _ingest_item_once(inbound, item, outcome)
    except IntegrityError as exc:
        # Only that key's refusal is rolled back to a savepoint; anything else is quarantined as before.
        duplicate = any(k in str(exc) for k in ("message_unique_external_id", "tickets_message.external_id"))
        if duplicate and _already_ingested(inbound, item):
            return  # nothing to do
        raise


def _ingest_item_once(inbound: InboundMessage, item: InboundItem, outcome: IngestOutcome) -> None:
    citizen, new_citizen = None, False
    if item.email or item.phone or item.whatsapp_id:
        citizen, new_citizen = services.get_or_create_citizen(**vars(_contact(inbound, item)))
    if citizen is not None and item.extra.get("new_whatsapp_id"):
        _move_whatsapp_number(citizen, item.extra["new_whatsapp_id"])
    ticket = _find_thread(item, inbound.channel, citizen, new_citizen=new_citizen)
    if ticket is not None:
        services.add_inbound_message(
            ticket=ticket,
            text=item.text,
            html=item.html,
            subject=item.subject,
            channel=inbound.channel,
            sender=item.email or item.phone or item.whatsapp_id,
            external_id=item.external_id,
            received_at=item.received_at,
            attachments=item.attachments,
        )
        _record_notices(ticket, item)
        _answer_procedure_choice(ticket, item)
        outcome.threaded.append(ticket)
        return
    if citizen is None:
        citizen = services.find_or_create_citizen(
            email="",
            phone="",
            whatsapp_id="",
            first_name=item.sender_name[:150],
            language=item.language,
            consent_channel=inbound.channel,
        )
    topic = None
    if item.extra.get("topic"):  # the web form's topic slug; unknown slugs leave it for the operator
        topic = Topic.objects.filter(slug=item.extra["topic"], is_active=True).first()
    ticket = services.open_ticket(
        citizen=citizen,
        channel=inbound.channel,
        queue=outcome.batch.default_front_queue() if outcome.batch else None,
        topic=topic,
        subject=item.subject,
        text=item.text,
        html=item.html,
        language=item.language or citizen.preferred_language,
        sender=item.email or item.phone or item.whatsapp_id,
        external_id=item.external_id,
        received_at=item.received_at,
        attachments=item.attachments,
    )
    _record_notices(ticket, item)
    _answer_procedure_choice(ticket, item)
    outcome.created.append(ticket)
    _acknowledge_new(ticket, item, outcome)


def _contact(inbound: InboundMessage, item: InboundItem) -> services.Contact:
    first, _, last = item.sender_name.partition(" ")
    if "first_name" in item.extra:  # the web form knows which part is the surname
        first, last = item.extra["first_name"], item.extra.get("last_name", "")
    return services.Contact(
        email=item.email,
        phone=item.phone,
        whatsapp_id=item.whatsapp_id,
        first_name=first,
        last_name=last,
        language=item.language,
        nationality=item.extra.get("nationality", ""),
        kind=item.extra.get("kind", ""),
        consent_channel=inbound.channel,
    )


def _together_item(result: ParseResult | Exception) -> InboundItem | None:
    """The input's one item when it may be written with the batch's others: a message from a
    sender with a number or an address, nothing more to do for it than _ingest_item_once does
    for every message (no number change, topic or procedure choice)."""
    if isinstance(result, Exception) or result.ignored or result.statuses or len(result.items) != 1:
        return None
    item = result.items[0]
    extra = item.extra
    if (
        item.ignore_reason
        or not (item.email or item.phone or item.whatsapp_id)
        or extra.get("new_whatsapp_id")
        or extra.get("topic")
        or str(extra.get("interactive_id", "")).startswith("procedure:")
    ):
        return None
    return item


_ALONE = -1  # a thread only the one-by-one path can tell (see _threads)


def _ingest_together(entries: list[tuple[InboundMessage, InboundItem]], batch: BatchContext) -> list[IngestOutcome]:
    """Write the entries' messages with one statement per table; the outcomes of those written.

    Exactly what _ingest_item_once would write for each: new tickets through open_tickets,
    messages on known tickets through add_inbound_messages. Left to the caller, to write one by
    one after these: an entry whose message is known already (or comes twice), one that answers
    a message of this batch, one whose sender get_or_create_citizens leaves alone, and those
    _threads cannot place.
    """
    ids = {item.external_id[:255] for _, item in entries if item.external_id}
    ids.update(i for _, item in entries for i in _reply_ids(item))
    known = list(
        Message.objects.filter(channel__in=Channel.values, external_id__in=ids)
        .values_list("channel", "external_id", "ticket_id", "created_at")
    ) if ids else []  # fmt: skip
    ingested = {(channel, external_id) for channel, external_id, _ticket, _at in known}
    in_batch = {item.external_id[:255] for _, item in entries}
    fresh, seen = [], set()
    for inbound, item in entries:
        key = (inbound.channel, item.external_id[:255])
        if item.external_id and (key in ingested or key in seen):
            continue
        if any(i in in_batch for i in _reply_ids(item)):
            continue  # answers a message this batch writes: after it, alone
        seen.add(key)
        fresh.append((inbound, item))
    citizens = services.get_or_create_citizens([_contact(inbound, item) for inbound, item in fresh])
    placed = [(entry, found) for entry, found in zip(fresh, citizens, strict=True) if found is not None]
    threads = _threads(placed, known)
    opened, requests, threaded, messages = [], [], [], []
    for ((inbound, item), (citizen, _created)), thread in zip(placed, threads, strict=True):
        if thread == _ALONE:
            continue
        sender = item.email or item.phone or item.whatsapp_id
        notices = item.extra.get("notices", ())
        if thread is not None:
            threaded.append((inbound, item))
            messages.append(
                services.NewMessage(
                    ticket_id=thread, channel=inbound.channel, text=item.text, html=item.html, subject=item.subject,
                    sender=sender, external_id=item.external_id, received_at=item.received_at,
                    attachments=item.attachments, notices=notices,
                )
            )  # fmt: skip
            continue
        opened.append((inbound, item))
        requests.append(
            services.NewRequest(
                citizen=citizen, queue=batch.default_front_queue(), channel=inbound.channel, subject=item.subject,
                text=item.text, html=item.html, language=item.language or citizen.preferred_language, sender=sender,
                external_id=item.external_id, received_at=item.received_at, attachments=item.attachments,
                notices=notices,
            )
        )  # fmt: skip
    outcomes = []
    for (inbound, item), ticket in zip(opened, services.open_tickets(requests) if requests else [], strict=True):
        outcome = IngestOutcome(inbound=inbound, created=[ticket], threaded=[], send_here=True, batch=batch)
        _acknowledge_new(ticket, item, outcome)
        outcomes.append(outcome)
    for (inbound, _item), ticket in zip(
        threaded, services.add_inbound_messages(messages) if messages else [], strict=True
    ):
        outcomes.append(IngestOutcome(inbound=inbound, created=[], threaded=[ticket], send_here=True, batch=batch))
    for outcome in outcomes:
        _settle(outcome.inbound, ParseResult(items=[]), outcome)
    return outcomes


def _threads(placed: list, known: list[tuple]) -> list[int | None]:
    """Per entry ((input, item), (citizen, created)): the ticket _find_thread would pick for it.

    Its id; None for a new ticket; _ALONE where only the one-by-one path can tell: a merged
    ticket (it follows the chain), and a later message of a sender on a conversation channel
    whose earlier one opens a ticket in this batch (it threads onto that one). Two queries at
    most, for the whole batch: tickets by reference or by answered message, open conversations.
    """
    by_message: dict[str, list[tuple]] = {}
    for _channel, external_id, ticket_id, at in known:
        by_message.setdefault(external_id, []).append((at, ticket_id))
    references = {item.reference.upper() for (_inbound, item), _found in placed if item.reference}
    answered = {t for (_inbound, item), _found in placed for i in _reply_ids(item) for _at, t in by_message.get(i, ())}
    tickets: dict = {}  # reference or id -> (id, merged into)
    if references or answered:
        for pk, reference, merged in Ticket.objects.filter(Q(reference__in=references) | Q(pk__in=answered)).values_list(
            "pk", "reference", "merged_into_id"
        ):  # fmt: skip
            tickets[reference] = tickets[pk] = (pk, merged)
    threads: list[int | None] = []
    waiting = []  # (index, citizen, channel, since): known senders on a conversation channel
    for (inbound, item), (citizen, created) in placed:
        found = tickets.get(item.reference.upper()) if item.reference else None
        if found is None:
            answers = [hit for i in _reply_ids(item) for hit in by_message.get(i, ())]
            found = tickets.get(max(answers, key=lambda hit: hit[0])[1]) if answers else None
        if found is not None:
            threads.append(_ALONE if found[1] else found[0])
        elif inbound.channel in CONVERSATION_CHANNELS and not created:
            since = (item.received_at or timezone.now()) - CONVERSATION_WINDOW
            waiting.append((len(threads), citizen, inbound.channel, since))
            threads.append(None)
        else:
            threads.append(None)
    if waiting:
        opened_now = {id(citizen) for _entry, (citizen, created) in placed if created}
        oldest = min(since for *_rest, since in waiting)
        conversations: dict[tuple, list[tuple]] = {}  # (citizen id, channel) -> their open tickets
        for pk, citizen_id, on, created_at, last in (
            Ticket.objects.filter(
                citizen_id__in={c.pk for _i, c, _ch, _s in waiting}, status__in=ACTIVE_STATUSES,
                merged_into__isnull=True, channel__in=CONVERSATION_CHANNELS,
            )
            .filter(Q(last_citizen_message_at__gte=oldest) | Q(created_at__gte=oldest))
            .values_list("pk", "citizen_id", "channel", "created_at", "last_citizen_message_at")
        ):  # fmt: skip
            conversations.setdefault((citizen_id, on), []).append((created_at, pk, last))
        opening: set = set()  # (citizen, channel) a message of this batch opens a ticket for
        for index, citizen, channel, since in waiting:
            candidates = [
                (created_at, pk) for created_at, pk, last in conversations.get((citizen.pk, channel), ())
                if created_at >= since or (last and last >= since)
            ]  # fmt: skip
            if candidates:
                threads[index] = max(candidates)[1]
            elif id(citizen) in opened_now or (citizen.pk, channel) in opening:
                threads[index] = _ALONE  # the ticket it would thread onto is opened by this batch
            else:
                opening.add((citizen.pk, channel))
    return threads


def _acknowledge_new(ticket: Ticket, item: InboundItem, outcome: IngestOutcome) -> None:
    """After commit, record and send the acknowledgement from what is already in memory (no re-reading).

    Nothing else can have acknowledged a ticket this transaction opens, so no check is needed.
    """
    from .adapters.email import DUPLICATE_ID_MARK
    from .adapters.whatsapp import SERVICE_WINDOW
    from .notifications import acknowledge_new_ticket

    # The citizen's Message-ID the acknowledgement answers: the ticket's only e-mail so far.
    external_id = item.external_id[:255]
    thread = (
        [external_id]
        if ticket.channel == "email" and external_id and not external_id.startswith("sha256:")
        and DUPLICATE_ID_MARK not in external_id
        else []
    )  # fmt: skip
    window_open = None  # unknown: the sender asks WhatsApp's 24-hour window from the database
    if ticket.channel == "whatsapp" and timezone.now() - ticket.last_citizen_message_at < SERVICE_WINDOW:
        window_open = True  # the citizen wrote just now
    if outcome.batch is not None:  # sent with the batch's others once it committed
        outcome.batch.acknowledgements.append(
            (ticket, {"thread": thread, "attachments": [], "window_open": window_open})
        )
        return
    transaction.on_commit(
        partial(
            acknowledge_new_ticket,
            ticket,
            send_here=outcome.send_here,
            thread=thread,
            attachments=[],
            window_open=window_open,
        )
    )


def _move_whatsapp_number(citizen, new_id: str) -> None:
    """WhatsApp says the citizen changed number: their next messages come from the new one."""
    from .numbers import to_e164

    if not new_id.isdigit() or Citizen.objects.filter(whatsapp_id=new_id).exclude(pk=citizen.pk).exists():
        return  # someone else already owns that number here: leave it to an operator
    changes = {"whatsapp_id": new_id[:32], "phone": to_e164("+" + new_id)}
    if citizen.phone and not citizen.phone_alt:
        changes["phone_alt"] = citizen.phone  # the old number stays findable
    Citizen.objects.filter(pk=citizen.pk).update(**changes)
    citizen.refresh_from_db()


def _answer_procedure_choice(ticket: Ticket, item: InboundItem) -> None:
    """A WhatsApp list reply "procedure:<slug>" gets the checklist back at once, at any hour (faq app)."""
    choice = str(item.extra.get("interactive_id", ""))
    if choice.startswith("procedure:"):
        from faq.services import answer_procedure_choice

        answer_procedure_choice(ticket, choice)


def _record_notices(ticket: Ticket, item: InboundItem) -> None:
    """Put what the adapter withheld (an oversize or disguised attachment) on the ticket's timeline."""
    for notice in item.extra.get("notices", ()):
        services.record_event(ticket, TicketEvent.Kind.UPDATED, **notice)


def apply_status_updates(result: ParseResult, channel: str) -> None:
    order = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
    for update in result.statuses:
        message = Message.objects.filter(channel=channel, external_id=update.external_id).first()
        if message is None:
            continue
        # Receipts arrive out of order: never step back from read to delivered.
        if order.get(update.status, 0) <= order.get(message.delivery_status, 0) and update.status != "failed":
            continue
        Message.objects.filter(pk=message.pk).update(delivery_status=update.status, delivery_error=update.error)
        if update.status == "failed":
            services.record_event(
                message.ticket, "delivery_failed", message_id=message.pk, error=update.error or "failed"
            )


def _claim(inbound_id: int) -> InboundMessage | None:
    """Count an attempt on a RECEIVED input and load it, in one statement; None when it is not waiting."""
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    rows = list(
        InboundMessage.objects.raw(
            f"UPDATE {table} SET attempts = attempts + 1 WHERE id = %s AND state = %s RETURNING *",  # noqa: S608
            [inbound_id, InboundMessage.State.RECEIVED],
        )
    )
    return rows[0] if rows else None


def ingest_inbound(inbound_id: int, *, send_here: bool = False) -> IngestOutcome | None:
    """Turn one stored input into citizen + ticket + messages. Idempotent; quarantines on bad input.

    send_here: send the acknowledgement from this process after commit (the worker does) instead
    of queueing a send task for it.
    """
    inbound = _claim(inbound_id)
    if inbound is None:
        return None  # done, ignored or quarantined already: a redelivery changes nothing
    outcome = IngestOutcome(inbound=inbound, created=[], threaded=[], send_here=send_here)
    try:
        result = _parse(inbound, get_adapter(inbound.channel))
        with transaction.atomic():
            # The lock makes a concurrent redelivery wait, then find the input processed.
            state = InboundMessage.objects.select_for_update().filter(pk=inbound.pk).values_list("state", flat=True)
            if state.first() != InboundMessage.State.RECEIVED:
                return None
            _apply(inbound, result, outcome)
            inbound.save(update_fields=["state", "error", "ticket", "processed_at"])
    except ChannelUnavailable:
        raise  # the task retries with backoff; the raw input stays RECEIVED
    except Exception as exc:  # anything else is quarantined with its reason, never lost
        if _transient(exc):
            raise ChannelUnavailable(f"the database asked to try again: {exc}") from exc  # so does the task
        outcome.quarantined = _quarantine_reason(inbound, exc)
        _set_quarantined(inbound, outcome.quarantined)  # also forgets a ticket the rollback undid
        inbound.save(update_fields=["state", "error", "ticket", "processed_at"])
    return outcome


def _parse(inbound: InboundMessage, adapter) -> ParseResult:
    """What the stored input says, its media fetched: the network first, outside any transaction."""
    result = adapter.parse(bytes(inbound.raw), inbound.metadata)
    for item in result.items:
        if not item.ignore_reason:
            adapter.fetch_media(item)
    return result


def _apply(inbound: InboundMessage, result: ParseResult, outcome: IngestOutcome) -> None:
    """Write what the parsed input says, inside the caller's transaction; set (not save) its new state."""
    apply_status_updates(result, inbound.channel)
    for item in result.items:
        if not item.ignore_reason:
            _ingest_item(inbound, item, outcome)
    _settle(inbound, result, outcome)


def _settle(inbound: InboundMessage, result: ParseResult, outcome: IngestOutcome) -> None:
    """Set (not save) the input's new state from what was written for it."""
    reasons = [i.ignore_reason for i in result.items if i.ignore_reason]
    tickets = outcome.created + outcome.threaded
    inbound.ticket = tickets[0] if tickets else None
    if result.ignored or (reasons and not tickets):
        outcome.ignored = result.ignored or reasons[0]
        inbound.state, inbound.error = InboundMessage.State.IGNORED, outcome.ignored
    else:
        inbound.state = InboundMessage.State.PROCESSED
    inbound.processed_at = timezone.now()


def _quarantine_reason(inbound: InboundMessage, exc: Exception) -> str:
    reason = str(exc) if isinstance(exc, InvalidInput) else f"{type(exc).__name__}: {exc}"
    logger.warning("inbound %s quarantined: %s", inbound.pk, reason)
    return reason


def _claim_batch(limit: int, max_bytes: int | None = None) -> list[InboundMessage]:
    """Count an attempt on up to `limit` waiting inputs nobody has tried yet, and load them; one statement.

    Oldest first, and only while their raw bytes add up to less than `max_bytes` (the first is
    always taken, whatever its size). The committed attempt is the batch's lease: other drainers
    only take inputs with none, and an input whose batch died (attempts 1, still RECEIVED) is
    left to requeue_received, which hands it to process_inbound alone; so an input that kills
    its worker cannot take a whole batch down twice.
    """
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    # The updated table's columns only (SQLite's RETURNING cannot name the joined CTE, nor take table.*).
    returned = f"{table}.*" if connection.vendor == "postgresql" else "*"
    # LENGTH of a bytea or a BLOB is its size in bytes, read without decompressing it. The candidates
    # are locked as they are read (and still waiting then): the UPDATE joins them by primary key
    # alone, since a condition on state there let the planner, misled by stale statistics in a
    # burst, scan the whole backlog once per claimed row (100 ms a claim with 3,000 waiting).
    claimed = list(
        InboundMessage.objects.raw(
            f"WITH candidate AS MATERIALIZED (SELECT id, received_at, LENGTH(raw) AS size FROM {table} "  # noqa: S608
            f"WHERE state = %s AND attempts = 0 ORDER BY received_at, id LIMIT %s{lock}), "
            "taken AS MATERIALIZED (SELECT id FROM (SELECT id, SUM(size) OVER (ORDER BY received_at, id) - size "
            "AS before FROM candidate) AS running WHERE before < %s) "
            f"UPDATE {table} SET attempts = attempts + 1 FROM taken WHERE {table}.id = taken.id RETURNING {returned}",
            [InboundMessage.State.RECEIVED, limit, max_bytes or BATCH_BYTES],
        )
    )
    # As they came: RETURNING has no order.
    return sorted(claimed, key=lambda inbound: (inbound.received_at, inbound.pk))


def ingest_pending(limit: int = BATCH_SIZE) -> int:
    """Claim up to `limit` waiting inputs and process them in one transaction; returns how many were claimed.

    Each input has its own savepoint: one that fails is rolled back alone and quarantined with
    its reason (raw bytes kept), the others commit together. What needs the network (media to
    download) is fetched before the transaction, as ingest_inbound does; an input whose
    provider is down is left RECEIVED for process_inbound and its retries with backoff.
    Acknowledgements are recorded and sent after the commit, ticket_changed announced once
    per office and day.
    """
    from .tasks import process_inbound

    claimed = _claim_batch(limit)
    if not claimed:
        return 0
    adapters: dict = {}
    ready: list[tuple[InboundMessage, ParseResult | Exception]] = []
    for inbound in claimed:
        try:
            if inbound.channel not in adapters:
                adapters[inbound.channel] = get_adapter(inbound.channel)
            result = _parse(inbound, adapters[inbound.channel])
        except ChannelUnavailable:  # left RECEIVED: its own task retries with backoff
            process_inbound.apply_async((inbound.pk,), countdown=30)
            continue
        except Exception as exc:  # quarantined below, in the batch's transaction
            ready.append((inbound, exc))
            continue
        ready.append((inbound, result))
    if not ready:
        return len(claimed)
    batch = BatchContext()
    with services.coalesced_ticket_changes():
        with transaction.atomic():
            # A process_inbound task may have taken one meanwhile (requeue_received): it is done then.
            waiting = set(
                InboundMessage.objects.select_for_update()
                .filter(pk__in=[inbound.pk for inbound, _ in ready], state=InboundMessage.State.RECEIVED)
                .values_list("pk", flat=True)
            )
            done, retry = [], []
            together = [
                (inbound, item)
                for inbound, result in ready
                if inbound.pk in waiting and (item := _together_item(result)) is not None
            ]
            try:
                with transaction.atomic():
                    outcomes = _ingest_together(together, batch) if len(together) > 1 else []
            except Exception:  # rolled back: each input goes alone below, where a bad one is quarantined alone
                logger.warning("batch of %s inputs written one by one", len(together), exc_info=True)
                del batch.acknowledgements[:]
                outcomes = []
            done += [outcome.inbound for outcome in outcomes]
            waiting.difference_update(inbound.pk for inbound in done)
            for inbound, result in ready:
                if inbound.pk not in waiting:
                    continue
                if isinstance(result, Exception):
                    _set_quarantined(inbound, _quarantine_reason(inbound, result))
                    done.append(inbound)
                    continue
                outcome = IngestOutcome(inbound=inbound, created=[], threaded=[], send_here=True, batch=batch)
                acknowledged = len(batch.acknowledgements)
                try:
                    with transaction.atomic():
                        _apply(inbound, result, outcome)
                except Exception as exc:  # rolled back to its savepoint: this input alone
                    del batch.acknowledgements[acknowledged:]
                    if isinstance(exc, ChannelUnavailable) or _transient(exc):
                        retry.append(inbound.pk)  # as in ingest_inbound: left RECEIVED for its own task's retries
                        continue
                    _set_quarantined(inbound, _quarantine_reason(inbound, exc))
                done.append(inbound)
            update_rows(InboundMessage, done, ["state", "error", "ticket", "processed_at"])
            for inbound_id in retry:
                transaction.on_commit(partial(process_inbound.apply_async, (inbound_id,), countdown=30))
        if batch.acknowledgements:
            from .notifications import acknowledge_new_tickets

            acknowledge_new_tickets(batch.acknowledgements)
    return len(claimed)


# Deadlock, serialization failure, lock not available: the input is fine, its moment was not.
_TRANSIENT_SQLSTATES = {"40P01", "40001", "55P03"}


def _transient(exc: BaseException) -> bool:
    """A database refusal that goes away when the same work is tried again (two batches crossing locks)."""
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in _TRANSIENT_SQLSTATES


def _set_quarantined(inbound: InboundMessage, reason: str) -> None:
    inbound.state, inbound.error = InboundMessage.State.QUARANTINED, reason[:5000]
    inbound.ticket, inbound.processed_at = None, timezone.now()


@transaction.atomic
def retry_quarantined(inbound_id: int) -> InboundMessage:
    """Put a quarantined input back in the pipeline after a fix."""
    inbound = InboundMessage.objects.select_for_update().get(pk=inbound_id)
    if inbound.state != InboundMessage.State.QUARANTINED:
        return inbound
    inbound.state, inbound.error = InboundMessage.State.RECEIVED, ""
    inbound.save(update_fields=["state", "error"])
    from contactcenter.broker import enqueue

    from .tasks import process_inbound

    transaction.on_commit(partial(enqueue, process_inbound, inbound.pk))  # broker down: RECEIVED, swept later
    return inbound


__all__ = ["ACTIVE_STATUSES", "IngestOutcome", "ingest_inbound", "retry_quarantined", "store_inbound"]
