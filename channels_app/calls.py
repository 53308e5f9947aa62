"""The call log, fed by the PBX's CTI push events (newCall, answer, hangup).

Unlike the other channels the event is processed at once, in the request: the operator's
caller pop-up must appear while the phone rings. The raw event is still stored first
(InboundMessage, channel "phone", key "<callId>:<event>") so a PBX retry changes nothing
and every event stays traceable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from email import policy as email_policy
from email.parser import BytesParser

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import services
from tickets.calendar import get_calendar
from tickets.models import Channel, Citizen, Ticket

from .base import InvalidInput
from .models import Call, InboundMessage
from .numbers import to_e164

logger = logging.getLogger(__name__)

EVENTS = ("newCall", "answer", "hangup")
# Hang-up causes that mean nobody picked up an inbound call (forwarded calls were handled elsewhere).
MISSED_CAUSES = {"noanswer", "busy", "cancel"}


@dataclass
class CallEvent:
    event: str
    call_id: str
    direction: str = Call.Direction.INBOUND
    raw_from: str = ""
    raw_to: str = ""
    users: list[str] = field(default_factory=list)
    queue: str = ""
    cause: str = ""
    answering_number: str = ""
    at: datetime | None = None


def _as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):  # a JSON array inside a form field
        try:
            return _as_list(json.loads(text))
        except ValueError:
            pass
    return [text] if text else []


def _form_fields(raw: bytes, text: str, content_type: str) -> QueryDict:
    """Fields of a urlencoded or multipart/form-data body (PBX connectors send either)."""
    if content_type.lower().startswith("multipart/form-data"):
        envelope = b"Content-Type: " + content_type.encode("latin-1", errors="replace") + b"\r\n\r\n"
        message = BytesParser(policy=email_policy.HTTP).parsebytes(envelope + raw)
        form = QueryDict(mutable=True)
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and not part.get_filename():
                    payload = part.get_payload(decode=True) or b""
                    form.appendlist(str(name), payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        return form
    return QueryDict(text, encoding="utf-8")


def parse_call_event(raw: bytes, content_type: str = "") -> CallEvent:
    """A CTI event from a form (user[]=…&user[]=…) or JSON body (user: [...]); InvalidInput when unusable."""
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"CTI event is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidInput("CTI event JSON is not an object")

        def get(key: str) -> str:
            value = data.get(key, "")
            return "" if value is None else str(value).strip()

        def get_list(*keys: str) -> list[str]:
            for key in keys:
                if data.get(key) not in (None, "", []):
                    return _as_list(data[key])
            return []

    else:
        form = _form_fields(raw, text, content_type)

        def get(key: str) -> str:
            return form.get(key, "").strip()

        def get_list(*keys: str) -> list[str]:
            for key in keys:
                values = [v for item in form.getlist(key) for v in _as_list(item)]
                if values:
                    return values
            return []

    event = get("event")
    call_id = get("callId") or get("call_id")
    if event not in EVENTS:
        raise InvalidInput(f"unknown CTI event {event!r}")
    if not call_id:
        raise InvalidInput("CTI event without callId")
    direction = get("direction").lower()
    return CallEvent(
        event=event,
        call_id=call_id[:255],
        direction=Call.Direction.OUTBOUND if direction == "out" else Call.Direction.INBOUND,
        raw_from=get("from")[:100],
        raw_to=get("to")[:100],
        users=get_list("user[]", "user", "caller[]", "caller")[:50],
        queue=get("queue")[:100],
        cause=get("cause")[:50],
        answering_number=get("answeringNumber")[:255],
    )


def find_citizen_by_number(number: str) -> Citizen | None:
    if not number:
        return None
    return Citizen.objects.filter(Q(phone=number) | Q(phone_alt=number)).order_by("-pk").first()


def _lock_call(event: CallEvent, now: datetime) -> tuple[Call, bool]:
    """The call row for this id, locked; created on the first event seen (events may come out of order)."""
    try:
        with transaction.atomic():
            call, created = Call.objects.select_for_update().get_or_create(
                call_id=event.call_id,
                defaults={"direction": event.direction, "started_at": now},
            )
    except IntegrityError:  # another event of the same call created it a moment ago
        call, created = Call.objects.select_for_update().get(call_id=event.call_id), False
    return call, created


def _fill_numbers(call: Call, event: CallEvent) -> None:
    if event.raw_from and not call.raw_from:
        call.raw_from = event.raw_from
        call.from_number = to_e164(event.raw_from, bare_international=True)
    if event.raw_to and not call.raw_to:
        call.raw_to = event.raw_to
        call.to_number = to_e164(event.raw_to, bare_international=True)
    if event.queue and not call.queue:
        call.queue = event.queue
    if call.citizen_id is None:
        call.citizen = find_citizen_by_number(call.citizen_number)


def _open_callback_ticket(call: Call) -> Ticket | None:
    """A missed inbound call outside office hours: a call-back request due the next working day."""
    if not call.from_number:
        return None  # withheld number: nobody to call back
    office = services.default_office()
    calendar = get_calendar(office)
    if calendar.is_open(call.started_at):
        return None  # in hours the desk saw it ring: it stays in the call log as missed
    citizen = call.citizen or services.find_or_create_citizen(phone=call.from_number, consent_channel=Channel.PHONE)
    call.citizen = citizen
    local = timezone.localtime(call.started_at, calendar.tz)
    text = _("Missed call from %(number)s on %(when)s (%(cause)s), outside office hours. Please call back.") % {
        "number": call.from_number,
        "when": local.strftime("%d/%m/%Y %H:%M"),
        "cause": call.cause or "—",
    }
    ticket = services.open_ticket(
        citizen=citizen,
        channel=Channel.PHONE,
        office=office,
        subject=_("Call back %(number)s") % {"number": call.from_number},
        text=text,
        sender=call.from_number,
        external_id=f"call:{call.call_id}"[:255],
        received_at=call.started_at,
    )
    due = calendar.next_working_day_start(call.started_at)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=due, due_at=due, resolution_due_at=max(due, ticket.resolution_due_at or due)
    )
    ticket.first_response_due_at = ticket.due_at = due
    return ticket


def apply_call_event(event: CallEvent, *, now: datetime | None = None) -> Call:
    """Update the call log with one event (idempotent per event); may open a call-back ticket."""
    now = now or timezone.now()
    with transaction.atomic():
        call, _created = _lock_call(event, now)
        _fill_numbers(call, event)
        if event.users:
            call.users = event.users
        if event.event == "newCall":
            call.direction = event.direction
            call.started_at = min(call.started_at, now)
        elif event.event == "answer":
            call.answered_at = call.answered_at or now
            call.answered_by = event.answering_number or ", ".join(event.users) or call.answered_by
            if call.status == Call.Status.RINGING:
                call.status = Call.Status.ANSWERED
            elif call.status == Call.Status.MISSED:  # the answer arrived after the hang-up
                call.status = Call.Status.ENDED
        elif event.event == "hangup":
            call.ended_at = call.ended_at or now
            call.cause = event.cause or call.cause
            if event.answering_number and not call.answered_by:
                call.answered_by = event.answering_number
            missed = (
                call.direction == Call.Direction.INBOUND
                and call.answered_at is None
                and call.cause.lower() in MISSED_CAUSES
            )
            call.status = Call.Status.MISSED if missed else Call.Status.ENDED
            if missed and call.callback_ticket_id is None:
                try:
                    with transaction.atomic():
                        call.callback_ticket = _open_callback_ticket(call)
                except Exception:  # no office or queue configured…: the call log itself must still be right
                    logger.exception("call-back request for call %s could not be opened", call.call_id)
        call.save()
    return call


def record_call_event(raw: bytes, *, content_type: str = "", source: str = "") -> Call | None:
    """Store the raw CTI event, then apply it to the call log at once. None for a repeated event."""
    from .pipeline import store_inbound

    try:
        event = parse_call_event(raw, content_type)
    except InvalidInput as exc:
        # Kept for an operator to look at, but nothing the call log can use.
        inbound, created = store_inbound(channel=Channel.PHONE, raw=raw, source=source, enqueue=False)
        if created:
            InboundMessage.objects.filter(pk=inbound.pk).update(
                state=InboundMessage.State.QUARANTINED, error=str(exc), processed_at=timezone.now()
            )
        raise
    inbound, created = store_inbound(
        channel=Channel.PHONE,
        raw=raw,
        external_id=f"{event.call_id}:{event.event}",
        source=source,
        content_type=content_type,
        metadata={"content_type": content_type[:300]},  # the multipart boundary, to re-read the raw body
        enqueue=False,
    )
    if not created:
        return None  # the PBX repeated an event we already have
    try:
        call = apply_call_event(event, now=inbound.received_at)
    except Exception as exc:
        # Stored and quarantined with the reason: the PBX gets its 200 (a retry would be a no-op anyway).
        logger.exception("CTI event %s could not be applied", inbound.pk)
        InboundMessage.objects.filter(pk=inbound.pk).update(
            state=InboundMessage.State.QUARANTINED,
            error=f"{type(exc).__name__}: {exc}"[:5000],
            processed_at=timezone.now(),
        )
        return None
    InboundMessage.objects.filter(pk=inbound.pk).update(
        state=InboundMessage.State.PROCESSED, ticket=call.callback_ticket, processed_at=timezone.now()
    )
    return call
