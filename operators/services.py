"""Writes of the operator desk: presence, language, who is looking at a ticket, calls and paper mail."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tickets import services as ticket_services
from tickets.access import access_ticket, get_operator
from tickets.errors import NotAllowed, TextRequired
from tickets.models import Channel, Message, Ticket
from tickets.services import NewAttachment

from .models import Operator
from .selectors import VIEWER_TTL_SECONDS, _viewers_key, normalize_phone

PAPER_CHANNELS = (Channel.FAX, Channel.PAPER)


def _operator(user) -> Operator:
    operator = get_operator(user)
    if operator is None:
        raise NotAllowed()
    return operator


@transaction.atomic
def set_presence(*, actor, presence: str) -> Operator:
    if presence not in Operator.Presence.values:
        raise NotAllowed()
    operator = _operator(actor)
    operator.presence = presence
    operator.presence_changed_at = timezone.now()
    operator.save(update_fields=["presence", "presence_changed_at"])
    return operator


@transaction.atomic
def set_ui_language(*, actor, language: str) -> Operator:
    operator = _operator(actor)
    if language not in dict(Operator._meta.get_field("ui_language").choices):
        raise NotAllowed()
    operator.ui_language = language
    operator.save(update_fields=["ui_language"])
    return operator


def mark_ticket_viewer(*, user_id: int, ticket_id: int, name: str) -> None:
    """Heartbeat: this operator has the ticket open (kept in the cache, forgotten after a few seconds).

    A read-modify-write without a lock: two heartbeats at once may drop one name until the
    next beat, two seconds later, which is good enough for "someone else is here".
    """
    key = _viewers_key(ticket_id)
    now = timezone.now().timestamp()
    viewers = {
        viewer: entry for viewer, entry in (cache.get(key) or {}).items() if now - entry[1] < VIEWER_TTL_SECONDS
    }
    viewers[user_id] = (name, now)
    cache.set(key, viewers, VIEWER_TTL_SECONDS * 2)


def log_call_on_ticket(*, actor, ticket_id: int, number: str, text: str) -> Message:
    """A phone call about an open request: the operator's summary becomes an inbound phone message."""
    ticket = access_ticket(actor, ticket_id)
    phone = normalize_phone(number)
    return ticket_services.add_inbound_message(
        ticket=ticket,
        channel=Channel.PHONE,
        text=text.strip() or _default_call_text(phone),
        sender=phone or number.strip()[:255],
    )


@transaction.atomic
def log_call_as_new_ticket(
    *,
    actor,
    number: str,
    text: str,
    subject: str = "",
    citizen_id: int | None = None,
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> Ticket:
    """A phone call that starts a new request, for a known citizen or one found/created by number."""
    from tickets.models import Citizen

    phone = normalize_phone(number)
    citizen = Citizen.objects.filter(pk=citizen_id).first() if citizen_id else None
    if citizen is None:
        citizen = ticket_services.find_or_create_citizen(
            phone=phone, first_name=first_name.strip(), last_name=last_name.strip(), language=language
        )
    return ticket_services.open_ticket(
        citizen=citizen,
        channel=Channel.PHONE,
        subject=subject.strip(),
        text=text.strip() or _default_call_text(phone),
        office=_operator(actor).office,
        queue=_front_queue_for(actor),
        language=language or citizen.preferred_language,
        actor=actor,
        sender=phone,
    )


@transaction.atomic
def register_paper_mail(
    *,
    actor,
    channel: str,
    subject: str,
    text: str,
    scans: Sequence[NewAttachment],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
) -> Ticket:
    """A fax or a letter arrived: register it as a request with its scan attached."""
    if channel not in PAPER_CHANNELS:
        raise NotAllowed()
    if not scans and not text.strip():
        raise TextRequired()
    citizen = ticket_services.find_or_create_citizen(
        email=email.strip(),
        phone=normalize_phone(phone),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language,
        consent_channel=channel,
    )
    return ticket_services.open_ticket(
        citizen=citizen,
        channel=channel,
        subject=subject.strip(),
        text=text.strip(),
        office=_operator(actor).office,
        queue=_front_queue_for(actor),
        language=language or citizen.preferred_language,
        actor=actor,
        attachments=scans,
    )


def _front_queue_for(actor):
    """The operator's own front-office queue, so the request lands where they can see it."""
    operator = _operator(actor)
    queue = operator.queues.filter(tier="front", is_active=True).order_by("-is_default", "pk").first()
    return queue


def _default_call_text(phone: str) -> str:
    from django.utils.translation import gettext

    return gettext("Phone call from %(number)s.") % {"number": phone or gettext("an unknown number")}
