"""Desk lists: my tickets, each queue, waiting for the citizen, due today / overdue, all, search."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tickets.access import can_work_queue, is_supervisor
from tickets.models import ACTIVE_STATUSES, Queue
from tickets.selectors import list_tickets

from ..decorators import operator_required
from ..forms import TicketFilterForm
from ..selectors import list_ticket_page

TITLES = {
    "mine": lambda: _("My tickets"),
    "waiting": lambda: _("Waiting for the citizen"),
    "due": lambda: _("Due today or overdue"),
    "all": lambda: _("All active requests"),
    "search": lambda: _("Search"),
}


def _render_list(request, scope: str, *, queue: Queue | None = None):
    form = TicketFilterForm(request.GET or None)
    page = list_ticket_page(
        request.user, scope=scope, filters=form.to_filters(), queue=queue, cursor=request.GET.get("after", "")
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "scope": scope,
        "queue": queue,
        "title": str(queue) if queue else TITLES[scope](),
        "form": form,
        "page": page,
        "base_query": query.urlencode(),
        "is_supervisor": is_supervisor(request.user),
    }
    template = (
        "desk/partials/_ticket_list.html" if request.htmx and not request.htmx.boosted else "desk/ticket_list.html"
    )
    return render(request, template, context)


@require_GET
@operator_required
def my_tickets(request):
    return _render_list(request, "mine")


@require_GET
@operator_required
def queue_tickets(request, queue_id: int):
    queue = get_object_or_404(Queue.objects.select_related("office"), pk=queue_id)
    if not can_work_queue(request.user, queue):
        raise Http404  # the same answer as a queue that does not exist
    return _render_list(request, "queue", queue=queue)


@require_GET
@operator_required
def waiting_tickets(request):
    return _render_list(request, "waiting")


@require_GET
@operator_required
def due_tickets(request):
    return _render_list(request, "due")


@require_GET
@operator_required(supervisor=True)
def all_tickets(request):
    return _render_list(request, "all")


@require_GET
@operator_required
def search_tickets(request):
    return _render_list(request, "search")


@require_GET
@operator_required
def next_ticket(request):
    """The next request to work on: my next one by due date after the current, else my queues' oldest."""
    current = request.GET.get("after", "")
    mine = list_tickets(request.user).filter(assignee_id=request.user.pk, status__in=ACTIVE_STATUSES)
    if current.isdigit():
        mine = mine.exclude(pk=int(current))
    ticket = mine.first()
    if ticket is None:
        waiting = list_tickets(request.user).filter(assignee__isnull=True, status__in=ACTIVE_STATUSES)
        if current.isdigit():
            waiting = waiting.exclude(pk=int(current))
        ticket = waiting.first()
    if ticket is None:
        from django.contrib import messages

        messages.info(request, _("Nothing else is waiting for you."))
        return redirect("desk:home")
    return redirect("desk:ticket", ticket.pk)
