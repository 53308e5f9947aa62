"""Staff pages of the portal's back office (no language prefix): checklists, FAQ feedback, appointments."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from operators.decorators import operator_required
from tickets.access import access_ticket, get_operator, is_supervisor
from tickets.errors import NotAllowed

from .. import selectors, services


def _require_back_office(request: HttpRequest) -> None:
    operator = get_operator(request.user)
    if not (is_supervisor(request.user) or (operator is not None and operator.is_back_office)):
        raise NotAllowed()


@require_POST
@operator_required
def send_checklist(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    try:
        procedure_id = int(request.POST.get("procedure", ""))
    except ValueError:
        raise services.ProcedureNotFound() from None
    message = services.send_procedure_checklist(actor=request.user, ticket_id=ticket.pk, procedure_id=procedure_id)
    procedures = selectors.list_published_procedures()
    sent = next((p for p in procedures if p.pk == procedure_id), None)
    return render(
        request,
        "faq/_send_checklist.html",
        {"ticket": ticket, "procedures": procedures, "sent_message": message, "sent_procedure": sent},
    )


@require_GET
@operator_required
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "faq/ops/feedback.html", {"feedback": selectors.list_unhandled_feedback()})


@require_POST
@operator_required
def feedback_handled(request: HttpRequest, feedback_id: int) -> HttpResponse:
    services.mark_feedback_handled(actor=request.user, feedback_id=feedback_id)
    return redirect("portal_ops:feedback")


@require_GET
@operator_required
def appointments(request: HttpRequest) -> HttpResponse:
    _require_back_office(request)
    rows = []
    slots_by_office: dict[int, list] = {}
    for appointment in selectors.list_open_appointments(request.user):
        if appointment.office_id not in slots_by_office:
            slots_by_office[appointment.office_id] = selectors.list_free_slots(appointment.office, limit=40)
        rows.append((appointment, slots_by_office[appointment.office_id]))
    return render(request, "faq/ops/appointments.html", {"rows": rows})


@require_POST
@operator_required
def appointment_schedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require_back_office(request)
    try:
        slot = datetime.fromisoformat(request.POST.get("slot", ""))
    except ValueError:
        messages.error(request, _("Choose a slot."))
        return redirect("portal_ops:appointments")
    confirm = request.POST.get("action") == "confirm"
    services.schedule_appointment(actor=request.user, appointment_id=appointment_id, slot_start=slot, confirm=confirm)
    messages.success(request, _("Appointment confirmed.") if confirm else _("Appointment proposed to the citizen."))
    return redirect("portal_ops:appointments")


@require_POST
@operator_required
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require_back_office(request)
    services.cancel_appointment(actor=request.user, appointment_id=appointment_id)
    messages.success(request, _("Appointment cancelled."))
    return redirect("portal_ops:appointments")
