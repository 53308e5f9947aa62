from django import template

from tickets.access import is_supervisor

from ..selectors import list_desk_queues

register = template.Library()


@register.inclusion_tag("desk/partials/_queue_nav.html", takes_context=True)
def desk_queue_nav(context):
    """The sidebar's lists and queues (one query), on every desk page."""
    request = context["request"]
    queues = list_desk_queues(request.user)
    return {
        "request": request,
        "desk_queues": queues,
        "desk_is_supervisor": is_supervisor(request.user),
        "desk_many_offices": len({q.office_id for q in queues}) > 1,
    }


@register.filter
def event_detail(event) -> str:
    """The words an event carries (reason, note, official, outcome, assignee, old → new)."""
    data = event.data or {}
    parts = []
    for key in ("reason", "official", "note", "assignee", "queue", "into", "merged"):
        if data.get(key):
            parts.append(str(data[key]))
    if data.get("outcome"):
        from tickets.models import Ticket

        parts.append(str(Ticket.Outcome(data["outcome"]).label) if data["outcome"] in Ticket.Outcome.values else "")
    if "old" in data and "new" in data and event.kind == "topic_changed":
        parts.append(f"{data['old'] or '—'} → {data['new'] or '—'}")
    if "old" in data and "new" in data and event.kind == "priority_changed":
        from tickets.models import Ticket

        labels = dict(Ticket.Priority.choices)
        parts.append(f"{labels.get(data['old'], data['old'])} → {labels.get(data['new'], data['new'])}")
    return " · ".join(p for p in parts if p)
