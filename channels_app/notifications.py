"""Automatic messages to citizens: the acknowledgement of a new request and status notifications.

Rendered from templates/emails/ in the citizen's language, recorded as outbound messages on the
ticket (so the desk sees what the citizen was told) and delivered by send_outbound_message on
the ticket's channel, marked Auto-Submitted so the citizen's auto-responder does not answer.
Inputs that were ignored (auto-replies, bounces) never open a ticket, so never reach here.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache, partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation

from tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

STATUS_KINDS = ("resolved", "waiting")


def status_url(ticket: Ticket, language: str) -> str:
    """The citizen's tracking link (the portal's status page for the ticket's access token)."""
    base, path = _status_path(language)
    return base + path.replace(_ACCESS_MARK, ticket.access_token)


# Stands for the access token while the link is reversed: 32 characters of token_urlsafe's alphabet,
# like a real token, so a route that checks the token's shape takes it too.
_ACCESS_MARK = "ACCESSMARK" + "0" * 22


@lru_cache(maxsize=64)
def _status_path_cached(language: str, base: str, urlconf: str) -> tuple[str, str]:
    with translation.override(language):
        for kwargs in ({"token": _ACCESS_MARK}, {"access_token": _ACCESS_MARK}):
            try:
                path = reverse("portal:status_token", kwargs=kwargs)
            except NoReverseMatch:
                continue
            if path.count(_ACCESS_MARK) == 1:
                return base, path
    return base, f"/{language}/status/{_ACCESS_MARK}/"


def _status_path(language: str) -> tuple[str, str]:
    """(site, path with a marker for the token): reversed once per language, not per acknowledgement."""
    return _status_path_cached(language, settings.SPORTELLO_PUBLIC_URL.rstrip("/"), str(settings.ROOT_URLCONF))


def _language(ticket: Ticket) -> str:
    language = ticket.citizen.preferred_language or ticket.language or settings.LANGUAGE_CODE
    return language if language in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE


def _reachable(ticket: Ticket) -> bool:
    return bool(ticket.citizen.email or ticket.citizen.whatsapp_id)


def _context(ticket: Ticket, language: str, **extra: object) -> dict:
    due = ticket.first_response_due_at
    local_due = ""
    if due is not None:
        try:
            office_tz = ZoneInfo(ticket.office.timezone or settings.TIME_ZONE)
        except (ValueError, ZoneInfoNotFoundError):
            office_tz = timezone.get_default_timezone()
        local_due = formats.date_format(timezone.localtime(due, office_tz), "DATETIME_FORMAT")
    return {
        "ticket": ticket,
        "name": ticket.citizen.first_name or ticket.citizen.last_name,
        "due": local_due,
        "status_url": status_url(ticket, language),
        "office": ticket.office.name,
        "lang": language,
        **extra,
    }


def _render(prefix: str, context: dict) -> tuple[str, str, str]:
    values = _filled_values(context)
    if settings.DEBUG or any(_UNSAFE.search(value) for value in values.values()):
        subject, text, html = _render_in_full(prefix, context)
    else:
        subject, text, html = _from_skeleton(prefix, context, values)
    return " ".join(subject.split()), text.strip() + "\n", html


def _render_in_full(prefix: str, context: dict) -> tuple[str, str, str]:
    subject = render_to_string(f"emails/{prefix}_subject.txt", context)
    text = render_to_string(f"emails/{prefix}_body.txt", context)
    try:
        html = render_to_string(f"emails/{prefix}_body.html", context)
    except TemplateDoesNotExist:  # the HTML version is optional
        html = ""
    return subject, text, html


# Skeletons. Rendering the three templates of a notification cost ~0.3 ms, a tenth of all the
# CPU ingesting a request takes: each is rendered once per language and shape (which values
# are empty, the notification's kind) with markers where the ticket's values go, and the
# markers are then replaced. A skeleton is used only if it reproduces the full rendering: a
# template that asks anything else of the ticket, or passes a value through a filter (which
# changes its marker), or an escaping that could differ (a value with &<>"'), is rendered in
# full each time instead. So are all templates in DEBUG, where they may change on disk.
_FILLED = ("name", "due", "status_url", "office")
_UNSAFE = re.compile(r"[&<>\"'\x00]")
_skeletons: dict[tuple, tuple[str, str, str] | None] = {}


def _marker(name: str) -> str:
    return f"\x00Mk{name}\x00"


class _MarkedTicket:
    """Stands for the ticket in a skeleton: its reference is a marker; anything else poisons it."""

    reference = _marker("reference")

    def __getattr__(self, name: str) -> str:
        return _marker("poison")


def _filled_values(context: dict) -> dict[str, str]:
    """What each marker of a skeleton stands for in this context (the empty values have none)."""
    values = {_marker(name): str(context[name]) for name in _FILLED if context[name]}
    values[_marker("reference")] = str(context["ticket"].reference)
    return values


def _from_skeleton(prefix: str, context: dict, values: dict[str, str]) -> tuple[str, str, str]:
    extra = tuple(sorted((k, str(v)) for k, v in context.items() if k not in (*_FILLED, "ticket")))
    key = (prefix, translation.get_language(), *(bool(context[name]) for name in _FILLED), extra)
    if key not in _skeletons:
        marked = {**context, "ticket": _MarkedTicket()}
        marked.update({name: _marker(name) for name in _FILLED if context[name]})
        skeleton = _render_in_full(prefix, marked)
        full = _render_in_full(prefix, context)
        _skeletons[key] = skeleton if _fill(skeleton, values) == full else None
        return full
    filled = _fill(_skeletons[key], values) if _skeletons[key] is not None else None
    return filled or _render_in_full(prefix, context)


def _fill(skeleton: tuple[str, str, str], values: dict[str, str]) -> tuple[str, ...] | None:
    filled = []
    for part in skeleton:
        for marker, value in values.items():
            part = part.replace(marker, value)
        if "\x00" in part:  # a marker a filter changed, or the poison: not a faithful skeleton
            return None
        filled.append(part)
    return tuple(filled)


def _outbound(ticket: Ticket, subject: str, text: str, html: str) -> Message:
    """A notification to the citizen on the ticket's channel, not saved yet, waiting to be sent."""
    return Message(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel=ticket.channel,
        subject=subject[:255],
        text=text,
        html=html,
        delivery_status=Message.Delivery.PENDING,
    )


def _record_and_send(
    ticket: Ticket, subject: str, text: str, html: str, auto_submitted: str, *, send_here: bool = False, **known
) -> Message:
    """Record the outbound message; after commit, send it in this process (a worker) or queue its task."""
    from contactcenter.broker import enqueue

    from .tasks import send_now, send_outbound_message

    message = _outbound(ticket, subject, text, html)
    message.save(force_insert=True)
    if send_here:
        transaction.on_commit(partial(send_now, message, auto_submitted, **known))
    else:
        # Committed as PENDING: a broker outage must not fail the request that registered the ticket.
        transaction.on_commit(partial(enqueue, send_outbound_message, message.pk, auto_submitted=auto_submitted))
    return message


@transaction.atomic
def send_acknowledgement(ticket_id: int) -> Message | None:
    """Tell the citizen their request is registered: reference, expected date, tracking link. Once."""
    if not getattr(settings, "SPORTELLO_SEND_ACKNOWLEDGEMENTS", True):
        return None
    ticket = Ticket.objects.select_related("citizen", "office").filter(pk=ticket_id).first()
    if ticket is None or not _reachable(ticket):
        return None  # a caller known by phone only: nobody to write to
    already = Message.objects.filter(ticket=ticket, direction=Message.Direction.OUTBOUND, author__isnull=True).exists()
    if already:
        return None  # a redelivered task, or a retried ingestion: one acknowledgement per request
    return _acknowledge(ticket)


def acknowledge_new_ticket(ticket: Ticket, *, send_here: bool = False, **known) -> Message | None:
    """Right after ingestion opened `ticket` (citizen and office loaded): record its acknowledgement.

    The caller guarantees no acknowledgement exists yet (the ticket is its own). The ingestion
    worker passes send_here=True and sends it at once from the same task (no second task, no
    re-reading), falling back to the retrying send task when the channel is down. `known`: what
    build_outbound would otherwise query (thread, attachments, window_open).
    """
    if not getattr(settings, "SPORTELLO_SEND_ACKNOWLEDGEMENTS", True) or not _reachable(ticket):
        return None
    return _acknowledge(ticket, send_here=send_here, **known)


def acknowledge_new_tickets(tickets: list[tuple[Ticket, dict]]) -> list[Message]:
    """acknowledge_new_ticket for the tickets an ingestion batch opened, after its commit.

    Recorded in one statement and sent from this process (the worker) at once, each with what
    build_outbound would otherwise query; an acknowledgement that cannot be rendered is logged
    and does not stop the others.
    """
    if not getattr(settings, "SPORTELLO_SEND_ACKNOWLEDGEMENTS", True):
        return []
    pending = []
    for ticket, known in tickets:
        if not _reachable(ticket):
            continue
        try:
            language = _language(ticket)
            with translation.override(language):
                subject, text, html = _render("acknowledgement", _context(ticket, language))
        except Exception:
            logger.exception("could not write the acknowledgement of %s", ticket.reference)
            continue
        pending.append((_outbound(ticket, subject, text, html), known))
    Message.objects.bulk_create([message for message, _known in pending])
    from .tasks import send_many

    send_many(pending, auto_submitted="auto-replied")
    return [message for message, _known in pending]


def _acknowledge(ticket: Ticket, **options) -> Message:
    language = _language(ticket)
    with translation.override(language):
        subject, text, html = _render("acknowledgement", _context(ticket, language))
    return _record_and_send(ticket, subject, text, html, auto_submitted="auto-replied", **options)


@transaction.atomic
def notify_status_change(ticket_id: int, kind: str) -> Message | None:
    """Tell the citizen their request was resolved, or that we wait for them ("resolved" | "waiting")."""
    if kind not in STATUS_KINDS:
        raise ValueError(f"unknown notification {kind!r}")
    ticket = Ticket.objects.select_related("citizen", "office").filter(pk=ticket_id).first()
    if ticket is None or not _reachable(ticket):
        return None
    language = _language(ticket)
    with translation.override(language):
        subject, text, html = _render("status", _context(ticket, language, kind=kind))
    return _record_and_send(ticket, subject, text, "", auto_submitted="auto-generated")
