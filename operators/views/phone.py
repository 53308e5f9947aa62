"""Phone work and paper: log a call in two clicks, the caller pop-up, fax and letters with their scan."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactcenter.ids import parse_id
from privacy.models import AccessLog
from privacy.services import record_list_access
from tickets.services import NewAttachment

from ..decorators import operator_required
from ..forms import PaperMailForm
from ..selectors import find_callers, normalize_phone, ringing_calls_for
from ..services import log_call_as_new_ticket, log_call_on_ticket, register_paper_mail


@require_GET
@operator_required
def log_call(request):
    number = request.GET.get("number", "")
    matches = find_callers(request.user, number)
    # GDPR: showing who owns a number is a view of their personal data (one bulk INSERT).
    record_list_access(
        request.user, citizens=[m.citizen for m in matches], via=AccessLog.Via.DESK, reason="caller lookup"
    )
    context = {"number": number, "phone": normalize_phone(number), "matches": matches}
    template = "desk/partials/_call_matches.html" if request.htmx else "desk/log_call.html"
    return render(request, template, context)


@require_POST
@operator_required
def log_call_add(request, ticket_id: int):
    message = log_call_on_ticket(
        actor=request.user,
        ticket_id=ticket_id,
        number=request.POST.get("number", ""),
        text=request.POST.get("text", ""),
    )
    messages.success(request, _("Call added to %(reference)s.") % {"reference": message.ticket.reference})
    return _go(request, message.ticket_id)


@require_POST
@operator_required
def log_call_new(request):
    ticket = log_call_as_new_ticket(
        actor=request.user,
        number=request.POST.get("number", ""),
        text=request.POST.get("text", ""),
        subject=request.POST.get("subject", ""),
        citizen_id=parse_id(request.POST.get("citizen")),
        first_name=request.POST.get("first_name", ""),
        last_name=request.POST.get("last_name", ""),
        language=_language_code(request.POST.get("language", "")),
    )
    messages.success(request, _("Phone request %(reference)s opened.") % {"reference": ticket.reference})
    return _go(request, ticket.pk)


def _language_code(value: str) -> str:
    # One of ours or none (the citizen's own): the column holds a short code, not any text posted.
    return value if value in settings.LANGUAGE_CODES else ""


def _go(request, ticket_id: int):
    from django.urls import reverse

    url = reverse("desk:ticket", args=[ticket_id])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_GET
@operator_required
def ringing(request):
    """Polled every two seconds by every desk page: the calls ringing on this operator's phone.

    Answers 204 (htmx swaps nothing) while the calls on screen are still the ringing ones, so the
    pop-up is not re-announced by screen readers nor its focus lost on every poll.
    """
    calls = ringing_calls_for(request.user)
    shown = ",".join(str(call.call_id) for call in calls)
    if request.GET.get("shown", "") == shown and "shown" in request.GET:
        return HttpResponse(status=204)
    return render(request, "desk/partials/_caller_popup.html", {"calls": calls, "shown": shown})


@require_http_methods(["GET", "POST"])
@operator_required
def register_mail(request):
    form = PaperMailForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scan = data["scan"]
        ticket = register_paper_mail(
            actor=request.user,
            channel=data["channel"],
            subject=data["subject"],
            text=data["text"],
            scans=[NewAttachment(filename=scan.name, content_type=scan.detected_type, payload=scan.read())],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            language=data["language"],
        )
        messages.success(request, _("Request %(reference)s registered.") % {"reference": ticket.reference})
        return redirect("desk:ticket", ticket.pk)
    return render(request, "desk/register_mail.html", {"form": form}, status=422 if form.errors else 200)
