"""Writes of the portal and of the FAQ back office.

One transaction per action, one TicketEvent per thing the citizen would say happened.
Portal actions run with actor=None (the citizen, anonymous); staff actions go through
tickets.access.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tickets import services as ticket_services
from tickets.access import access_ticket, can_see_ticket, get_operator, is_supervisor
from tickets.errors import DomainError, NotAllowed
from tickets.models import Channel, Message, Ticket, TicketEvent
from tickets.refdata import cached_rows
from tickets.services import NewAttachment

from .models import Appointment, FaqDeflection, FaqEntry, FaqFeedback, Procedure
from .selectors import SLOT_MINUTES, list_free_slots, list_published_procedures


class ProcedureNotFound(DomainError):
    status, code = 404, "procedure_not_found"
    template = _("This procedure does not exist or is not published.")


class EntryNotFound(DomainError):
    status, code = 404, "faq_not_found"
    template = _("This answer does not exist or is no longer published.")


class SlotNotAvailable(DomainError):
    status, code = 409, "slot_taken"
    template = _("The slot of %(when)s is no longer free: choose another one.")


class AppointmentNotFound(DomainError):
    status, code = 404, "appointment_not_found"
    template = _("This appointment does not exist.")


class AppointmentNotOpen(DomainError):
    status, code = 422, "appointment_not_open"
    template = _("This appointment is %(status)s and cannot be changed.")


# ----------------------------------------------------------------------------- checklists


def send_procedure_checklist(*, actor, ticket_id: int, procedure_id: int) -> Message:
    """Send a procedure's checklist to the citizen on the ticket's channel, in the ticket's language."""
    ticket = access_ticket(actor, ticket_id)
    procedure = Procedure.objects.select_related("office").filter(pk=procedure_id, is_published=True).first()
    if procedure is None:
        raise ProcedureNotFound()
    return ticket_services.reply_to_ticket(
        actor=actor, ticket_id=ticket.pk, text=procedure.checklist_text(ticket.language)
    )


WHATSAPP_ROW_PREFIX = "procedure:"
WHATSAPP_BODY_LIMIT = 1024


def whatsapp_procedures_menu(language: str, body_text: str = "") -> dict | None:
    """A WhatsApp interactive list of the published procedures (None when there are none).

    `body_text` (e.g. the acknowledgement) comes first in the body. Meta's limits: body 1024
    characters, button 20, section title 24, 10 rows, row title 24, description 72.
    """
    # From the cache (tickets.refdata), and kept a few seconds in the process: this runs for
    # every WhatsApp acknowledgement, hundreds a second in a campaign.
    procedures = cached_rows("published-procedures", list_published_procedures, local_seconds=5)[:10]
    if not procedures:
        return None
    with translation.override(language):
        rows = [
            {
                "id": f"{WHATSAPP_ROW_PREFIX}{p.slug}"[:200],
                "title": (p.text_in("short_title", language) or p.text_in("title", language))[:24],
                "description": p.text_in("title", language)[:72],
            }
            for p in procedures
        ]
        invitation = _t(
            "Need the list of documents for a procedure? Choose it here and we send it to you "
            "straight away, at any hour."
        )
        body = invitation
        if body_text.strip():
            room = WHATSAPP_BODY_LIMIT - len(invitation) - 2
            text = body_text.strip()
            if len(text) > room:
                text = text[: room - 1].rstrip() + "…"
            body = f"{text}\n\n{invitation}"
        return {
            "type": "list",
            "body": {"text": body[:WHATSAPP_BODY_LIMIT]},
            "action": {
                "button": _t("Procedures")[:20],
                "sections": [{"title": _t("Documents to bring")[:24], "rows": rows}],
            },
        }


@transaction.atomic
def answer_procedure_choice(ticket: Ticket, slug: str) -> Message | None:
    """The citizen picked a procedure from the WhatsApp list: send its checklist back, at any hour.

    An automatic message (no author), like the acknowledgement: it is not an operator's first
    answer, so the request stays new for the desk. None for an unknown or unpublished procedure.
    """
    from channels_app.tasks import send_outbound_message

    slug = slug.removeprefix(WHATSAPP_ROW_PREFIX)
    procedure = Procedure.objects.select_related("office").filter(slug=slug, is_published=True).first()
    if procedure is None:
        return None
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel=ticket.channel,
        subject=ticket.subject,
        text=procedure.checklist_text(ticket.language),
        delivery_status=Message.Delivery.PENDING,
    )
    ticket_services.record_event(
        ticket, TicketEvent.Kind.REPLIED, public=True, message_id=message.pk, procedure=procedure.slug, automatic=True
    )
    _bump_ticket_version(ticket.pk)
    transaction.on_commit(partial(send_outbound_message.delay, message.pk, auto_submitted="auto-generated"))
    return message


def _bump_ticket_version(ticket_id: int) -> None:
    # The portal caches the status page per ticket version: a change the citizen sees bumps it.
    Ticket.objects.filter(pk=ticket_id).update(version=F("version") + 1, updated_at=timezone.now())


def bump_search_generation() -> None:
    """The FAQ changed: cached search results of earlier generations are never read again."""
    from .selectors import _GENERATION_KEY, forget_search_generation

    cache.set(_GENERATION_KEY, int(time.time() * 1000), None)
    forget_search_generation()


# ----------------------------------------------------------------------------- FAQ feedback


@transaction.atomic
def record_faq_feedback(*, entry_id: int, useful: bool, comment: str = "", language: str = "it") -> FaqFeedback:
    entry = FaqEntry.objects.published().filter(pk=entry_id).first()
    if entry is None:
        raise EntryNotFound()
    return FaqFeedback.objects.create(
        entry=entry,
        useful=bool(useful),
        comment=(comment or "").strip()[:2000],
        language=language if language in settings.LANGUAGE_CODES else "it",
    )


@transaction.atomic
def mark_feedback_handled(*, actor, feedback_id: int) -> FaqFeedback:
    if get_operator(actor) is None and not getattr(actor, "is_superuser", False):
        raise NotAllowed()
    feedback = FaqFeedback.objects.select_for_update().filter(pk=feedback_id).first()
    if feedback is None:
        from django.http import Http404  # an unknown id is a 404, not a crash (found by the IDOR walk)

        raise Http404
    feedback.handled, feedback.handled_by = True, actor
    feedback.save(update_fields=["handled", "handled_by"])
    return feedback


@transaction.atomic
def record_deflection(*, entry_id: int, query: str = "", language: str = "it") -> FaqDeflection:
    """A suggested answer solved the citizen's question before they wrote to us."""
    entry = FaqEntry.objects.published().filter(pk=entry_id).first()
    if entry is None:
        raise EntryNotFound()
    return FaqDeflection.objects.create(
        entry=entry,
        query=(query or "").strip()[:200],
        language=language if language in settings.LANGUAGE_CODES else "it",
    )


# ----------------------------------------------------------------------------- portal requests


def submit_portal_request(
    *,
    data: dict,
    files: list,
    client_ip: str,
    procedure: Procedure | None = None,
    want_appointment: bool = False,
    preferred_dates: str = "",
) -> Ticket:
    """Create the request through the web channel pipeline, then the appointment request if asked."""
    from channels_app.adapters.webform import submit_web_request

    ticket = submit_web_request(data=data, files=files, client_ip=client_ip)
    if want_appointment:
        request_appointment(ticket=ticket, procedure=procedure, preferred_dates=preferred_dates)
    return ticket


@transaction.atomic
def request_appointment(*, ticket: Ticket, procedure: Procedure | None, preferred_dates: str = "") -> Appointment:
    office = (procedure.office if procedure and procedure.office_id else None) or ticket.office
    appointment = Appointment.objects.create(
        ticket=ticket, procedure=procedure, office=office, preferred_dates=(preferred_dates or "").strip()[:300]
    )
    ticket_services.record_event(
        ticket,
        TicketEvent.Kind.UPDATED,
        public=True,
        appointment=appointment.pk,
        appointment_status=Appointment.Status.REQUESTED,
    )
    _bump_ticket_version(ticket.pk)
    return appointment


def add_portal_message(*, ticket: Ticket, text: str, attachments: list[NewAttachment]) -> Message:
    """The citizen writes from the status page: a web message, which reopens a resolved request."""
    if not (text or "").strip() and not attachments:
        from tickets.errors import TextRequired

        raise TextRequired()
    return ticket_services.add_inbound_message(
        ticket=ticket, text=(text or "").strip(), channel=Channel.WEB, attachments=attachments, sender="portal"
    )


# ----------------------------------------------------------------------------- appointments (back office)


def _require_back_office(actor) -> None:
    operator = get_operator(actor)
    if not (is_supervisor(actor) or (operator is not None and operator.is_back_office)):
        raise NotAllowed()


def _appointment_message(appointment: Appointment, language: str, *, confirmed: bool) -> str:
    with translation.override(language):
        local = timezone.localtime(appointment.slot_start)
        when = formats.date_format(local, "l j F Y") + " " + formats.time_format(local, "H:i")
        office = appointment.office
        where = ", ".join(part for part in (office.name, office.address, office.city) if part)
        if confirmed:
            text = _t("Your appointment is confirmed: %(when)s at %(where)s.") % {"when": when, "where": where}
        else:
            text = _t(
                "We propose an appointment on %(when)s at %(where)s. Reply to this message to confirm it "
                "or to ask for another time."
            ) % {"when": when, "where": where}
        if appointment.procedure_id:
            text += "\n\n" + appointment.procedure.checklist_text(language)
        return text


def _check_appointment_access(actor, appointment: Appointment | None) -> None:
    """One answer for an appointment that does not exist and one of a request the actor may not see,
    given before anything about it (its status) is told."""
    if appointment is None or not can_see_ticket(actor, appointment.ticket):
        raise AppointmentNotFound()


@transaction.atomic
def schedule_appointment(*, actor, appointment_id: int, slot_start: datetime, confirm: bool) -> Appointment:
    """Back office proposes (or confirms) a slot; the citizen is told on the ticket's channel."""
    _require_back_office(actor)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("ticket", "office", "procedure")
        .filter(pk=appointment_id)
        .first()
    )
    _check_appointment_access(actor, appointment)
    if appointment.status == Appointment.Status.CANCELLED or (
        appointment.status == Appointment.Status.CONFIRMED and not confirm
    ):
        raise AppointmentNotOpen(status=appointment.get_status_display())
    slot_start = slot_start.astimezone(timezone.get_current_timezone())
    free = {start for start, _end in list_free_slots(appointment.office, start=timezone.now(), limit=2000)}
    if appointment.slot_start != slot_start and slot_start not in free:
        raise SlotNotAvailable(when=formats.date_format(timezone.localtime(slot_start), "DATETIME_FORMAT"))
    appointment.slot_start = slot_start
    appointment.slot_end = slot_start + timedelta(minutes=SLOT_MINUTES)
    appointment.status = Appointment.Status.CONFIRMED if confirm else Appointment.Status.PROPOSED
    try:
        # The partial unique constraint settles two staff booking one slot at once.
        with transaction.atomic():
            appointment.save(update_fields=["slot_start", "slot_end", "status", "updated_at"])
    except IntegrityError:
        raise SlotNotAvailable(when=formats.date_format(timezone.localtime(slot_start), "DATETIME_FORMAT")) from None
    ticket = appointment.ticket
    ticket_services.record_event(
        ticket,
        TicketEvent.Kind.UPDATED,
        actor=actor,
        public=True,
        appointment=appointment.pk,
        appointment_status=appointment.status,
        slot=slot_start.isoformat(),
    )
    ticket_services.reply_to_ticket(
        actor=actor, ticket_id=ticket.pk, text=_appointment_message(appointment, ticket.language, confirmed=confirm)
    )
    return appointment


@transaction.atomic
def cancel_appointment(*, actor, appointment_id: int) -> Appointment:
    _require_back_office(actor)
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("ticket").filter(pk=appointment_id).first()
    )
    _check_appointment_access(actor, appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    ticket_services.record_event(
        appointment.ticket,
        TicketEvent.Kind.UPDATED,
        actor=actor,
        public=True,
        appointment=appointment.pk,
        appointment_status=appointment.status,
    )
    _bump_ticket_version(appointment.ticket_id)
    return appointment
