"""Reads of the CRM core that know their query count."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .access import visible_tickets_filter
from .models import ACTIVE_STATUSES, Attachment, Citizen, Message, Ticket, TicketEvent

LIST_FIELDS = (
    "id",
    "reference",
    "subject",
    "status",
    "priority",
    "channel",
    "language",
    "tier",
    "due_at",
    "created_at",
    "version",
    "citizen_id",
    "citizen__first_name",
    "citizen__last_name",
    "citizen__email",
    "queue_id",
    "queue__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "topic_id",
    "topic__name",
    # Topic names are translated (modeltranslation): reading topic.name reads name_<language>, so
    # deferring those columns cost one query per row (found by make bench-api on 1M tickets).
    "topic__name_it",
    "topic__name_en",
    "topic__name_fr",
    "topic__name_es",
)


def list_tickets(user, *, filters: Q | None = None) -> QuerySet[Ticket]:
    """Tickets the user may see, in desk order (due date first), for keyset pagination on (due_at, id)."""
    tickets = (
        Ticket.objects.filter(visible_tickets_filter(user))
        .select_related("citizen", "queue", "assignee", "topic")
        .only(*LIST_FIELDS)
    )
    if filters is not None:
        tickets = tickets.filter(filters)
    return tickets.order_by("due_at", "id")


def get_ticket_detail(ticket: Ticket, *, include_internal: bool = True) -> dict:
    """Everything the ticket view shows, in a fixed number of queries whatever the message count."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not include_internal:
        messages = messages.exclude(direction=Message.Direction.NOTE)
        events = events.filter(public=True)
    return {"ticket": ticket, "messages": list(messages), "events": list(events)}


def get_citizen_history(citizen: Citizen, *, user=None, limit: int = 50) -> list[Ticket]:
    """The citizen's tickets across every channel, newest first (the 360° view)."""
    tickets = Ticket.objects.filter(citizen=citizen)
    if user is not None:
        tickets = tickets.filter(visible_tickets_filter(user))
    return list(tickets.select_related("queue", "topic").order_by("-created_at")[:limit])


def find_citizens(*, phone: str = "", email: str = "", whatsapp_id: str = "") -> QuerySet[Citizen]:
    query = Q(pk__in=[])
    if phone:
        query |= Q(phone=phone) | Q(phone_alt=phone)
    if email:
        query |= Q(email__iexact=email)
    if whatsapp_id:
        query |= Q(whatsapp_id=whatsapp_id)
    return Citizen.objects.filter(query).order_by("-pk")


def find_open_ticket_for_citizen(citizen: Citizen, *, channel: str | None = None, since=None) -> Ticket | None:
    tickets = Ticket.objects.filter(citizen=citizen, status__in=ACTIVE_STATUSES, merged_into__isnull=True)
    if channel:
        tickets = tickets.filter(channel=channel)
    if since is not None:
        tickets = tickets.filter(Q(last_citizen_message_at__gte=since) | Q(created_at__gte=since))
    return tickets.order_by("-created_at").first()


def get_ticket_by_reference(reference: str) -> Ticket | None:
    return Ticket.objects.filter(reference=reference.strip().upper()).select_related("citizen").first()
