"""The ticket view and its actions: each action is one POST calling one service, answered with the
re-rendered ticket, or with the domain error (409 stale or taken, 422 refused) the middleware renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contactcenter.ids import parse_id
from privacy.models import AccessLog
from privacy.services import record_access, record_ticket_view
from tickets import services
from tickets.access import access_ticket, can_see_ticket, get_operator
from tickets.errors import TicketNotFound
from tickets.models import Attachment, Ticket, Topic
from tickets.selectors import get_citizen_history, get_ticket_detail
from tickets.uploads import download_headers

from ..decorators import operator_required
from ..forms import ResolveForm, posted_version
from ..models import CannedReply
from ..selectors import (
    list_active_topics,
    list_canned_replies,
    list_colleagues_for,
    list_ticket_viewers,
    optional_template,
    render_canned_reply,
)
from ..services import mark_ticket_viewer

HIDDEN_EVENT_KINDS = {"message_received", "replied", "note"}  # shown as their messages


def _display_name(user) -> str:
    operator = get_operator(user)
    return operator.display_name if operator else (user.get_full_name() or user.get_username())


def _timeline(messages_, events):
    entries = [("message", m.created_at, m.pk, m) for m in messages_]
    entries += [("event", e.created_at, e.pk, e) for e in events if e.kind not in HIDDEN_EVENT_KINDS]
    entries.sort(key=lambda entry: (entry[1], entry[0] == "message", entry[2]))
    return [{"type": kind, "item": item} for kind, _at, _pk, item in entries]


def _ticket_context(request, ticket: Ticket) -> dict:
    detail = get_ticket_detail(ticket)
    history = get_citizen_history(ticket.citizen, limit=30)
    for other in history:
        other.desk_visible = can_see_ticket(request.user, other)
    return {
        "ticket": ticket,
        "timeline": _timeline(detail["messages"], detail["events"]),
        "attachments": [a for m in detail["messages"] for a in m.attachments.all()],
        "history": history,
        "merge_candidates": [t for t in history if t.pk != ticket.pk and t.is_active and t.desk_visible],
        "colleagues": list_colleagues_for(ticket),
        "topics": list_active_topics(),
        "canned_replies": list_canned_replies(ticket),
        "priorities": Ticket.Priority.choices,
        "outcomes": Ticket.Outcome.choices,
        "viewers": list_ticket_viewers(ticket.pk, exclude_user_id=request.user.pk),
        "problems_template": optional_template("reports/_ticket_problems.html"),
        "checklist_template": optional_template("faq/_send_checklist.html"),
        "faq_available": _faq_installed(),
    }


def _faq_installed() -> bool:
    try:
        from faq.models import FaqEntry  # noqa: F401
    except ImportError:
        return False
    return True


@require_GET
@operator_required
def ticket_detail(request, ticket_id: int):
    ticket = access_ticket(request.user, ticket_id)
    user = request.user
    # GDPR: the view shows the citizen card, so every view is logged; and colleagues see who is here.
    record_ticket_view(
        user_id=user.pk, username=user.get_username(), ticket_id=ticket.pk, citizen_id=ticket.citizen_id
    )
    mark_ticket_viewer(user_id=user.pk, ticket_id=ticket.pk, name=_display_name(user))
    return render(request, "desk/ticket_detail.html", _ticket_context(request, ticket))


def _after_action(request, ticket_id: int, done: str):
    """Answer an action: the re-rendered ticket, or back to the desk when the ticket left our sight."""
    try:
        ticket = access_ticket(request.user, ticket_id)
    except TicketNotFound:
        messages.success(request, done)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("desk:home")
            return response
        return redirect("desk:home")
    if not request.htmx:
        messages.success(request, done)
        return redirect("desk:ticket", ticket.pk)
    context = _ticket_context(request, ticket)
    context["done"] = done
    context["oob"] = True
    return render(request, "desk/partials/_ticket_main.html", context)


@require_POST
@operator_required
def take(request, ticket_id: int):
    # No version check: whoever took it first is the conflict worth naming ("already handled by …").
    services.take_ticket(actor=request.user, ticket_id=ticket_id)
    return _after_action(request, ticket_id, _("You have taken this request."))


@require_POST
@operator_required
def assign(request, ticket_id: int):
    assignee = get_object_or_404(get_user_model(), pk=parse_id(request.POST.get("assignee")) or 0, is_active=True)
    services.assign_ticket(
        actor=request.user, ticket_id=ticket_id, assignee=assignee, expected_version=posted_version(request)
    )
    return _after_action(request, ticket_id, _("Assigned to %(name)s.") % {"name": _display_name(assignee)})


@require_POST
@operator_required
def reply(request, ticket_id: int):
    services.reply_to_ticket(
        actor=request.user,
        ticket_id=ticket_id,
        text=request.POST.get("text", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Reply sent."))


@require_POST
@operator_required
def note(request, ticket_id: int):
    services.add_note(actor=request.user, ticket_id=ticket_id, text=request.POST.get("text", ""))
    return _after_action(request, ticket_id, _("Note added."))


@require_POST
@operator_required
def change_topic(request, ticket_id: int):
    topic_id = request.POST.get("topic") or None
    topic = get_object_or_404(Topic, pk=parse_id(topic_id) or 0) if topic_id else None
    services.change_topic(
        actor=request.user, ticket_id=ticket_id, topic=topic, expected_version=posted_version(request)
    )
    return _after_action(request, ticket_id, _("Topic changed."))


@require_POST
@operator_required
def change_priority(request, ticket_id: int):
    priority = request.POST.get("priority", "")
    services.change_priority(
        actor=request.user,
        ticket_id=ticket_id,
        priority=parse_id(priority) or 0,
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Priority changed."))


@require_POST
@operator_required
def wait(request, ticket_id: int):
    services.wait_for_citizen(actor=request.user, ticket_id=ticket_id, expected_version=posted_version(request))
    return _after_action(request, ticket_id, _("Waiting for the citizen."))


@require_POST
@operator_required
def resolve(request, ticket_id: int):
    form = ResolveForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    services.resolve_ticket(
        actor=request.user,
        ticket_id=ticket_id,
        outcome=outcome,
        note=request.POST.get("note", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Request resolved."))


@require_POST
@operator_required
def close(request, ticket_id: int):
    services.close_ticket(actor=request.user, ticket_id=ticket_id, expected_version=posted_version(request))
    return _after_action(request, ticket_id, _("Request closed."))


@require_POST
@operator_required
def reopen(request, ticket_id: int):
    services.reopen_ticket(
        actor=request.user,
        ticket_id=ticket_id,
        reason=request.POST.get("reason", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Request reopened."))


@require_POST
@operator_required
def escalate(request, ticket_id: int):
    services.escalate_ticket(
        actor=request.user,
        ticket_id=ticket_id,
        reason=request.POST.get("reason", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Escalated to the back office."))


@require_POST
@operator_required
def return_to_front(request, ticket_id: int):
    services.return_to_front_office(
        actor=request.user,
        ticket_id=ticket_id,
        note=request.POST.get("note", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Returned to the front office."))


@require_POST
@operator_required
def hand_to_official(request, ticket_id: int):
    services.hand_to_official(
        actor=request.user,
        ticket_id=ticket_id,
        official_name=request.POST.get("official", ""),
        note=request.POST.get("note", ""),
        expected_version=posted_version(request),
    )
    return _after_action(request, ticket_id, _("Handed to the official."))


@require_POST
@operator_required
def merge(request, ticket_id: int):
    duplicate = parse_id(request.POST.get("duplicate")) or 0
    services.merge_tickets(actor=request.user, primary_id=ticket_id, duplicate_id=duplicate)
    return _after_action(request, ticket_id, _("Requests merged."))


@require_POST
@operator_required
def presence(request, ticket_id: int):
    """Heartbeat of an open ticket: who else is here, and has the ticket changed under my eyes?"""
    ticket = access_ticket(request.user, ticket_id)
    mark_ticket_viewer(user_id=request.user.pk, ticket_id=ticket.pk, name=_display_name(request.user))
    seen = parse_id(request.POST.get("version"))
    return render(
        request,
        "desk/partials/_ticket_presence.html",
        {
            "ticket": ticket,
            "viewers": list_ticket_viewers(ticket.pk, exclude_user_id=request.user.pk),
            "changed": seen is not None and seen != ticket.version,
        },
    )


@require_GET
@operator_required
def canned_reply(request, ticket_id: int):
    """The reply box with a canned reply appended, in the ticket's language, placeholders filled."""
    ticket = access_ticket(request.user, ticket_id)
    reply_ = get_object_or_404(CannedReply, pk=parse_id(request.GET.get("canned")) or 0, is_active=True)
    text = request.GET.get("text", "").rstrip()
    addition = render_canned_reply(reply_, ticket, _display_name(request.user))
    return render(
        request,
        "desk/partials/_reply_text.html",
        {"ticket": ticket, "text": f"{text}\n\n{addition}" if text else addition},
    )


@require_GET
@operator_required
def faq_answer(request, ticket_id: int):
    """Search the FAQ and offer its answers in the ticket's language, or put one into the reply box."""
    ticket = access_ticket(request.user, ticket_id)
    from ..selectors import get_faq_answer, search_faq

    entry_id = parse_id(request.GET.get("entry"))
    if entry_id is not None:
        answer = get_faq_answer(entry_id, ticket.language)
        if answer is None:
            raise Http404
        text = request.GET.get("text", "").rstrip()
        return render(
            request,
            "desk/partials/_reply_text.html",
            {"ticket": ticket, "text": f"{text}\n\n{answer}" if text else answer},
        )
    return render(
        request,
        "desk/partials/_faq_results.html",
        {"ticket": ticket, "entries": search_faq(request.GET.get("faq_q", ""), ticket.language)},
    )


@require_GET
@operator_required
def attachment(request, attachment_id: int):
    """Attachments live outside the web root; this is the only way to them, and it checks the ticket."""
    item = Attachment.objects.select_related("ticket").filter(pk=attachment_id).first()
    if item is None or not can_see_ticket(request.user, item.ticket):
        raise Http404
    record_access(request.user, ticket=item.ticket, via=AccessLog.Via.DESK, action=AccessLog.Action.DOWNLOAD)
    # One rule for every download (tickets.uploads): only pictures and audio inline, never sniffed.
    headers = download_headers(item.filename, item.content_type)
    response = FileResponse(item.file.open("rb"), content_type=headers["Content-Type"])
    for header, value in headers.items():
        response[header] = value
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
