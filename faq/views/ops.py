"""Staff pages of the portal's back office: checklists, FAQ feedback, appointments (no language prefix)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tickets.access import access_ticket, get_operator

from .. import selectors, services


def _staff_required(view):
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if get_operator(request.user) is None and not request.user.is_superuser:
            from tickets.errors import NotAllowed

            raise NotAllowed()
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_POST
@_staff_required
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
