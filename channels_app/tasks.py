import logging
import random
from contextlib import ExitStack

from celery import bootsteps, shared_task
from django.db import transaction

from contactcenter.db import update_rows
from tickets.models import Channel, Message, TicketEvent
from tickets.services import NewAttachment, record_event

from .adapters.email import DUPLICATE_ID_MARK, outbound_message_id
from .base import ChannelUnavailable, InvalidInput, OutboundMessage, get_adapter

logger = logging.getLogger(__name__)


# Channels a reply can travel on; tickets from other channels are answered on the first of
# these the citizen can be reached on (a voicemail or phone request is answered by e-mail).
SENDING_CHANNELS = (Channel.EMAIL, Channel.WHATSAPP)
SEND_MAX_RETRIES = 6


def route(message: Message) -> tuple[str, str]:
    """(channel, address) to deliver an outbound message on; ValueError when the citizen is unreachable."""
    citizen = message.ticket.citizen
    addresses = {Channel.EMAIL: citizen.email, Channel.WHATSAPP: citizen.whatsapp_id}
    preferred = [message.channel] if message.channel in SENDING_CHANNELS else []
    for channel in [*preferred, *SENDING_CHANNELS]:
        if addresses[channel]:
            return channel, addresses[channel]
    raise ValueError(f"no e-mail address or WhatsApp number to reach the citizen (channel {message.channel})")


def _thread_ids(message: Message) -> list[str]:
    """The citizen's e-mail Message-IDs on this ticket, oldest first: In-Reply-To is the last one."""
    ids = list(
        Message.objects.filter(ticket_id=message.ticket_id, direction=Message.Direction.INBOUND, channel=Channel.EMAIL)
        .exclude(external_id="")
        .order_by("-created_at", "-pk")
        .values_list("external_id", flat=True)[:10]
    )
    return [i for i in reversed(ids) if not i.startswith("sha256:") and DUPLICATE_ID_MARK not in i]


def build_outbound(
    message: Message,
    channel: str,
    to: str,
    auto_submitted: str = "",
    *,
    thread: list[str] | None = None,
    attachments: list[NewAttachment] | None = None,
    window_open: bool | None = None,
) -> OutboundMessage:
    """`thread`, `attachments`, `window_open`: what the caller already knows, not to be queried again."""
    ticket = message.ticket
    headers: dict[str, str] = {}
    if channel == Channel.EMAIL:
        headers["Message-ID"] = outbound_message_id(
            ticket.reference, message.pk, str(int(message.created_at.timestamp()))
        )
        thread = _thread_ids(message) if thread is None else thread
        if thread:
            headers["In-Reply-To"] = f"<{thread[-1]}>"
            headers["References"] = " ".join(f"<{i}>" for i in thread)
        if auto_submitted:
            # RFC 3834: tells the citizen's out-of-office not to answer us (no mail loops).
            headers["Auto-Submitted"] = auto_submitted
            headers["X-Auto-Response-Suppress"] = "All"
    if attachments is None:
        attachments = []
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as handle:
                attachments.append(NewAttachment(attachment.filename, attachment.content_type, handle.read()))
    extra = _outbound_extra(message, channel, auto_submitted)
    if window_open is not None:
        extra["window_open"] = window_open
    return OutboundMessage(
        message_id=message.pk,
        to=to,
        text=message.text,
        subject=message.subject or ticket.subject,
        reference=ticket.reference,
        language=ticket.citizen.preferred_language or ticket.language,
        attachments=attachments,
        headers=headers,
        extra=extra,
    )


def _outbound_extra(message: Message, channel: str, auto_submitted: str) -> dict:
    extra: dict = {"html": message.html} if message.html else {}
    if channel == Channel.WHATSAPP and auto_submitted == "auto-replied":
        # The WhatsApp acknowledgement offers the procedures as an interactive list; picking
        # one sends its checklist back (pipeline._answer_procedure_choice).
        from faq.services import whatsapp_procedures_menu

        ticket = message.ticket
        menu = whatsapp_procedures_menu(ticket.citizen.preferred_language or ticket.language, body_text=message.text)
        if menu:
            extra["interactive"] = menu
    return extra


@shared_task(acks_late=True, bind=True, max_retries=SEND_MAX_RETRIES)
def send_outbound_message(self, message_id: int, auto_submitted: str = "") -> None:
    """Deliver one outbound message through its channel's adapter; retried while the provider is down."""
    message = Message.objects.select_related("ticket__citizen").filter(pk=message_id).first()
    if message is None or message.delivery_status not in (Message.Delivery.PENDING, ""):
        return  # sent already, or gone: a redelivery changes nothing
    try:
        channel, to = route(message)
        external_id = get_adapter(channel).send(build_outbound(message, channel, to, auto_submitted))
    except ChannelUnavailable as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        _mark_failed(message, str(exc))
        return
    except (ValueError, InvalidInput) as exc:
        _mark_failed(message, str(exc))
        return
    _mark_sent(message, channel, external_id)


def _backoff(retries: int) -> int:
    # Exponential backoff with jitter: 30 s, 1 min, 2 min … capped at 30 min.
    return min(1800, 30 * 2**retries) + random.randint(0, 15)


def _mark_sent(message: Message, channel: str, external_id: str) -> None:
    Message.objects.filter(pk=message.pk).update(
        delivery_status=Message.Delivery.SENT, external_id=(external_id or "")[:255], channel=channel
    )


def _try_send(message: Message, auto_submitted: str, known: dict, adapter_for=None) -> tuple[str, str] | None:
    """(channel, external id) once delivered; None when the send task took over or the message failed.

    `adapter_for(channel)`: the adapter already sending several (send_many); else a new one is made.
    """
    try:
        channel, to = route(message)
        adapter = adapter_for(channel) if adapter_for else get_adapter(channel)
        return channel, adapter.send(build_outbound(message, channel, to, auto_submitted, **known))
    except ChannelUnavailable:
        send_outbound_message.apply_async(
            (message.pk,), {"auto_submitted": auto_submitted}, countdown=_backoff(0)
        )  # fmt: skip
    except (ValueError, InvalidInput) as exc:
        _mark_failed(message, str(exc))
    return None


def send_now(message: Message, auto_submitted: str = "", **known) -> None:
    """Send a just-committed outbound message from this process (the ingestion worker), no task.

    `message` is the instance the caller created, its ticket and citizen loaded. When the
    channel is down, the send task takes over with its retries and backoff; anything else
    fails the message for the desk to see, exactly like the task would.
    """
    delivered = _try_send(message, auto_submitted, known)
    if delivered is not None:
        _mark_sent(message, *delivered)


def send_many(messages: list[tuple[Message, dict]], auto_submitted: str = "") -> None:
    """send_now for several just-committed messages (an ingestion batch's acknowledgements).

    The same fallbacks one by one; each channel's adapter is made once and shares what it can
    between the sends (one SMTP session for all the e-mails); the messages delivered are marked
    sent in one statement.
    """
    sent = []
    with ExitStack() as sessions:
        adapters: dict = {}

        def adapter(channel: str):
            if channel not in adapters:
                adapters[channel] = get_adapter(channel)
                sessions.enter_context(adapters[channel].sending_several())
            return adapters[channel]

        for message, known in messages:
            delivered = _try_send(message, auto_submitted, known, adapter)
            if delivered is None:
                continue
            channel, external_id = delivered
            message.delivery_status, message.external_id, message.channel = (
                Message.Delivery.SENT, (external_id or "")[:255], channel
            )  # fmt: skip
            sent.append(message)
    update_rows(Message, sent, ["delivery_status", "external_id", "channel"])


@transaction.atomic
def _mark_failed(message: Message, error: str) -> None:
    Message.objects.filter(pk=message.pk).update(delivery_status=Message.Delivery.FAILED, delivery_error=error)
    record_event(message.ticket, TicketEvent.Kind.DELIVERY_FAILED, message_id=message.pk, error=error)
    logger.warning("outbound message %s failed: %s", message.pk, error)


@shared_task(acks_late=True, bind=True, max_retries=8, retry_backoff=True, retry_backoff_max=600)
def process_inbound(self, inbound_id: int) -> None:
    from .pipeline import ingest_inbound

    try:
        ingest_inbound(inbound_id, send_here=True)  # the acknowledgement leaves from here, no second task
    except ChannelUnavailable as exc:
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True, ignore_result=True)
def drain_inbound(slot: int | None = None) -> int:
    """Process the waiting inputs in batches until none is left (store_inbound wakes it; see pipeline.drain).

    Killed midway, it loses nothing: its batch's transaction rolls back, the inputs stay RECEIVED
    and requeue_received hands them to process_inbound one by one.
    """
    from .pipeline import drain

    return drain(slot)


@shared_task(acks_late=True, ignore_result=True)
def poll_mailboxes() -> int:
    """Celery beat: store what arrived in every configured IMAP mailbox; returns how many were new."""
    from .imap import poll_all

    return sum(result.stored for result in poll_all())


STALE_AFTER_SECONDS = 120


@shared_task(acks_late=True, ignore_result=True)
def requeue_received(limit: int = 1000, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Hand inputs still RECEIVED after a while to the workers again; returns how many.

    Celery beat runs it every 5 minutes; a worker back on the broker runs it at once for every
    waiting input (HandBackWaitingInputs). A process that dies between the commit of the raw
    input and the publication of its task, a publication refused while the broker was away, or a
    broker that lost its queues would otherwise leave it unprocessed for ever. Processing is
    idempotent, so a task that was merely slow and now runs twice changes nothing.
    """
    from datetime import timedelta

    from django.utils import timezone

    from .models import InboundMessage

    cutoff = timezone.now() - timedelta(seconds=older_than)
    waiting = InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED, received_at__lt=cutoff)
    untried = waiting.filter(attempts=0).count()
    tried = list(
        waiting.filter(attempts__gt=0).order_by("received_at").values_list("pk", flat=True)[:limit]
    )  # fmt: skip
    if untried:
        # One draining task takes them all, in batches. Not through a drainer slot (hand_to_worker):
        # after an outage the slots may still be held, for a minute, by drainers that died with it.
        drain_inbound.delay(None)
    for inbound_id in tried:
        # Tried already (their batch or task died, or was lost): alone, so that an input that kills
        # its worker cannot take a batch down again.
        process_inbound.delay(inbound_id)
    return untried + len(tried)


WAITING_TOO_LONG_SECONDS = 10


@shared_task(ignore_result=True)
def wake_drainer_for_waiting_inputs(older_than: float = WAITING_TOO_LONG_SECONDS) -> bool:
    """Celery beat, every 10 s: get a drainer onto inputs that waited untried for longer than `older_than`.

    Storing an input tells the workers through the broker. When that publication fails or is
    given up (Redis away, or frozen) while the workers keep their connection, so that no
    reconnection hands the input back (HandBackWaitingInputs), nothing else would before the
    5-minute sweep. One probe of the waiting inputs' index; the drainer slots keep it from
    starting a drainer while enough of them are at work (a backlog being drained).
    """
    from datetime import timedelta

    from django.utils import timezone

    from .models import InboundMessage
    from .pipeline import hand_to_worker

    cutoff = timezone.now() - timedelta(seconds=older_than)
    oldest = (
        InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED, attempts=0, received_at__lt=cutoff)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if oldest is None:
        return False
    hand_to_worker(oldest)  # a drainer takes every waiting input, this one first
    return True


class HandBackWaitingInputs(bootsteps.StartStopStep):
    """Worker consumer step: each time the worker consumes again, hand it what waited meanwhile.

    A consumer's steps start when the worker starts and again after every broker connection it
    lost and got back. Inputs stored while the broker was away (their tasks refused, or lost with
    the broker's queues) are then handed to the workers within seconds of its return, instead of
    at the next 5-minute sweep: the same sweep, published at once for inputs of any age. Only the
    publication happens here, in the worker's main process; a pool process queries the database.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, parent) -> None:
        try:
            requeue_received.apply_async(kwargs={"older_than": 0})
        except Exception:  # the broker went away again: its next reconnection tries again
            logger.warning("could not hand back the waiting inputs", exc_info=True)
