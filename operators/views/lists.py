"""Desk lists: my tickets, each queue, waiting for the citizen, due today / overdue, all, search."""

from __future__ import annotations

from html import escape

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contactcenter.ids import parse_id
from tickets.access import can_work_queue
from tickets.models import ACTIVE_STATUSES, Channel, Queue, Status, Ticket
from tickets.refdata import cached_rows
from tickets.selectors import list_tickets

from ..decorators import operator_required
from ..forms import TicketFilterForm
from ..selectors import LIST_CACHE_SECONDS, desk_generation, desk_list_cache_key, list_ticket_page

SUBJECT_CHARS = 60  # a list row shows the start of the subject
LIST_PATH_MARK = "\x00list-path\x00"  # where the cached filter form names the list it filters

TITLES = {
    "mine": lambda: _("My tickets"),
    "waiting": lambda: _("Waiting for the citizen"),
    "due": lambda: _("Due today or overdue"),
    "all": lambda: _("All active requests"),
    "search": lambda: _("Search"),
}


def _rows_html(rows) -> SafeString:
    """The list's table rows.

    Built here rather than by a template loop: every operator's list is re-rendered every 5 s
    after any change on the desk, and the loop's tags (about 25 per row) cost as much as the
    page's query. Every value from the database goes through html.escape (what Django's escape
    does, without its lazy-string check per call); labels are computed once per page.
    """
    status = {k: escape(str(v)) for k, v in Status.choices}
    channel = {k: escape(str(v)) for k, v in Channel.choices}
    priority = {k: escape(str(v)) for k, v in Ticket.Priority.choices}
    nobody = f'<span class="text-muted">{escape(_("nobody"))}</span>'
    overdue = f' <span class="badge bg-danger">{escape(_("overdue"))}</span>'
    topics: dict[int | None, str] = {None: "—"}  # one translated-name lookup per topic, not per row
    prefix = reverse("desk:ticket", args=[0])[: -len("0/")]
    now = timezone.now()
    html = []
    for t in rows:
        url = f"{prefix}{t.pk}/"
        late = bool(t.due_at and t.due_at < now and t.status in ACTIVE_STATUSES)
        citizen = t.citizen
        subject = t.subject or "—"
        if len(subject) > SUBJECT_CHARS:
            subject = subject[: SUBJECT_CHARS - 1].rstrip() + "…"
        if t.topic_id not in topics:
            topics[t.topic_id] = escape(t.topic.name)
        urgent = (
            f' <span class="badge bg-danger">{priority.get(t.priority) or t.priority}</span>'
            if t.priority >= 3
            else ""
        )
        assignee = escape(t.assignee.get_full_name() or t.assignee.username) if t.assignee_id else nobody
        due = timezone.localtime(t.due_at) if t.due_at else None
        due_iso, due_label = (due.isoformat(), due.strftime("%d/%m %H:%M")) if due else ("", "")
        name = f"{citizen.first_name} {citizen.last_name}".strip() or citizen.email or "—"
        row_class = ' class="desk-overdue"' if late else ""
        html.append(
            f'<tr data-row data-href="{url}" data-ticket-id="{t.pk}"{row_class}>'
            f'<td><a href="{url}" class="desk-ref">{escape(t.reference)}</a>{urgent}</td>'
            f'<td>{escape(name)}</td><td class="desk-subject">{escape(subject)}</td>'
            f"<td>{channel.get(t.channel, escape(t.channel))}</td><td>{topics[t.topic_id]}</td>"
            f'<td><span class="desk-status desk-status-{escape(t.status)}">{status.get(t.status) or escape(t.status)}</span></td>'
            f'<td>{assignee}</td><td><time datetime="{due_iso}">{due_label}</time>{overdue if late else ""}</td></tr>\n'
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


def _render_list(request, scope: str, *, queue: Queue | None = None):
    # Bound only by its own fields: the next page's cursor or a poll's marker is not a filter
    # (the panel stays closed, and the shared empty form is used).
    filtering = any(name in request.GET for name in TicketFilterForm.base_fields)
    form = TicketFilterForm(request.GET if filtering else None)
    title = str(queue) if queue else TITLES[scope]()
    generation = desk_generation()
    key = desk_list_cache_key(request.user, request.get_full_path(), translation.get_language(), generation)
    list_html = cache.get(key)
    if list_html is None:
        page = list_ticket_page(
            request.user, scope=scope, filters=form.to_filters(), queue=queue, cursor=request.GET.get("after", "")
        )
        query = request.GET.copy()
        query.pop("after", None)
        list_html = render_to_string(
            "desk/partials/_ticket_list.html",
            {"page": page, "rows_html": _rows_html(page.tickets), "title": title, "base_query": query.urlencode()},
            request=request,
        )
        cache.set(key, list_html, LIST_CACHE_SECONDS)
    if request.htmx and not request.htmx.boosted:
        return HttpResponse(list_html)
    context = {
        "scope": scope,
        "queue": queue,
        "title": title,
        "list_html": mark_safe(list_html),  # noqa: S308 - our own rendered template
        "filter_html": mark_safe(_filter_html(request, form)),  # noqa: S308 - our own rendered template
    }
    return render(request, "desk/ticket_list.html", context)


def _filter_html(request, form: TicketFilterForm) -> str:
    """The filter form; the empty one (most page loads) is the same on every list, so it is cached.

    Rendering its widgets (topic and office choices) costs more than the rest of the page. The
    copy is dropped when a topic or an office changes (tickets.refdata), and names its list
    through a placeholder.
    """
    if form.is_bound:
        return render_to_string("desk/partials/_filter_form.html", {"form": form, "list_path": request.path})
    html = cached_rows(
        "desk-filter-form",
        lambda: [render_to_string("desk/partials/_filter_form.html", {"form": form, "list_path": LIST_PATH_MARK})],
        per_language=True,
    )[0]
    return html.replace(LIST_PATH_MARK, escape(request.path))


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
    current = parse_id(request.GET.get("after"))
    mine = list_tickets(request.user).filter(assignee_id=request.user.pk, status__in=ACTIVE_STATUSES)
    if current is not None:
        mine = mine.exclude(pk=current)
    ticket = mine.first()
    if ticket is None:
        waiting = list_tickets(request.user).filter(assignee__isnull=True, status__in=ACTIVE_STATUSES)
        if current is not None:
            waiting = waiting.exclude(pk=current)
        ticket = waiting.first()
    if ticket is None:
        from django.contrib import messages

        messages.info(request, _("Nothing else is waiting for you."))
        return redirect("desk:home")
    return redirect("desk:ticket", ticket.pk)
