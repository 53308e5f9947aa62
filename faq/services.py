"""Writes of the portal and the FAQ back office: one transaction, one TicketEvent where a ticket is involved."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tickets import services as ticket_services
from tickets.access import access_ticket
from tickets.errors import DomainError
from tickets.models import Message

from .models import Procedure


class ProcedureNotFound(DomainError):
    status, code = 404, "procedure_not_found"
    template = _("This procedure does not exist or is not published.")


@transaction.atomic
def send_procedure_checklist(*, actor, ticket_id: int, procedure_id: int) -> Message:
    """Send a procedure's checklist to the citizen on the ticket's channel, in the ticket's language."""
    ticket = access_ticket(actor, ticket_id)
    procedure = Procedure.objects.select_related("office").filter(pk=procedure_id, is_published=True).first()
    if procedure is None:
        raise ProcedureNotFound()
    return ticket_services.reply_to_ticket(
        actor=actor, ticket_id=ticket.pk, text=procedure.checklist_text(ticket.language)
    )
