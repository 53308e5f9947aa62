"""Who may see and touch which ticket: the one place these rules live."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from .errors import TicketNotFound
from .models import Channel, Message, Queue, Ticket, TicketEvent, Tier


def get_operator(user: AbstractBaseUser | None):
    """The operator profile of a staff user, or None (citizens, system, anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.operator
    except Exception:
        return None


def is_supervisor(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    operator = get_operator(user)
    return bool(operator and operator.is_supervisor)


def can_use_desk(user) -> bool:
    """Staff with an operator profile (any role) and superusers use the operator desk."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or get_operator(user) is not None


def queue_ids_for(user) -> set[int]:
    """Queues the user works; cached on the user object for the request."""
    cached = getattr(user, "_sportello_queue_ids", None)
    if cached is not None:
        return cached
    operator = get_operator(user)
    ids = set(operator.queues.values_list("pk", flat=True)) if operator else set()
    user._sportello_queue_ids = ids
    return ids


def can_work_queue(user, queue: Queue) -> bool:
    if is_supervisor(user):
        return True
    operator = get_operator(user)
    if operator is None:
        return False
    return queue.pk in queue_ids_for(user)


def visible_tickets_filter(user) -> Q:
    """A Q that keeps the tickets this user may see: supervisors all, others their queues' tier and their own."""
    if is_supervisor(user):
        return Q()
    operator = get_operator(user)
    if operator is None:
        return Q(pk__in=[])
    tier = Tier.BACK if operator.is_back_office else Tier.FRONT
    return Q(queue_id__in=queue_ids_for(user), tier=tier) | Q(assignee_id=user.pk)


def visible_tickets(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(visible_tickets_filter(user))


def visible_through(user, path: str) -> Q:
    """visible_tickets_filter for rows bound to a ticket by ``path`` (e.g. "ticket" for a message).

    Every list of ticket-bound rows outside the desk's own selectors (the admin, the staff pages of
    other apps) filters with this, so it can show no row of a ticket the desk would hide.
    """
    rule = visible_tickets_filter(user)
    if not rule:
        return rule  # everything: no subquery to run
    return Q(**{f"{path}__in": Ticket.objects.filter(rule).values("pk")})


def can_see_ticket(user, ticket: Ticket) -> bool:
    if is_supervisor(user):
        return True
    operator = get_operator(user)
    if operator is None:
        return False
    if ticket.assignee_id == user.pk:
        return True
    tier = Tier.BACK if operator.is_back_office else Tier.FRONT
    return ticket.tier == tier and ticket.queue_id in queue_ids_for(user)


def access_ticket(user, ticket_id: int, *, lock: bool = False) -> Ticket:
    """Load a ticket the user may work on, or raise TicketNotFound (same answer for 'forbidden')."""
    # The office (two dozen translated columns) only for writers: services date things by its calendar.
    related = ("queue", "citizen", "assignee", "topic", *(("office",) if lock else ()))
    tickets = Ticket.objects.select_related(*related)
    if lock:
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        tickets = tickets.select_for_update(of=("self",))
    try:
        ticket = tickets.get(pk=ticket_id)  # .first() would add an ORDER BY to compile and run
    except (Ticket.DoesNotExist, ValueError, TypeError):
        ticket = None
    if ticket is None or (user is not None and not can_see_ticket(user, ticket)):
        raise TicketNotFound(ticket_id=ticket_id)
    return ticket


def visible_citizens_filter(user) -> Q:
    """Citizens whose personal data the user may see: supervisors all, others those with a ticket they see."""
    rule = visible_tickets_filter(user)
    if not rule:
        return rule
    return Q(pk__in=Ticket.objects.filter(rule).values("citizen_id"))


def access_citizen(user, citizen_id: int):
    """Load a citizen the user may see, or raise CitizenNotFound (same answer for 'forbidden')."""
    from .errors import CitizenNotFound
    from .models import Citizen

    citizen = Citizen.objects.filter(visible_citizens_filter(user), pk=citizen_id).first()
    if citizen is None:
        raise CitizenNotFound(citizen_id=citizen_id)
    return citizen


# ----------------------------------------------------------------------------- what a citizen sees

# What a citizen sees of their own ticket (the portal's status page) is an allow-list: a row, a
# field or a kind of event not named here stays internal, whatever a later change adds.

# Channels where a message from the citizen holds the citizen's own words, and its files are the
# ones they sent. Not the others: a voicemail's text is the PBX's (caller number, mailbox,
# recording URL), a call's or a letter's is an operator's summary.
CITIZEN_WRITTEN_CHANNELS = frozenset({Channel.EMAIL, Channel.WHATSAPP, Channel.WEB})

# Events a citizen is told of: where the request stands, by its label only; never who did it nor
# why (the event's data: a reason, an official's name, a delivery error, a withheld file's name).
CITIZEN_STATE_EVENTS = frozenset(
    {
        TicketEvent.Kind.CREATED,
        TicketEvent.Kind.TAKEN,
        TicketEvent.Kind.ESCALATED,
        TicketEvent.Kind.HANDED_TO_OFFICIAL,
        TicketEvent.Kind.WAITING,
        TicketEvent.Kind.RESOLVED,
        TicketEvent.Kind.CLOSED,
        TicketEvent.Kind.REOPENED,
        TicketEvent.Kind.MERGED,
    }
)

# Messages a citizen sees at all: to them, and from them (an internal note never).
CITIZEN_MESSAGE_DIRECTIONS = (Message.Direction.INBOUND, Message.Direction.OUTBOUND)


def can_citizen_read_message(direction: str, channel: str) -> bool:
    """Whether the citizen sees a message's text and files, not only that it is there.

    What the office wrote to them, and what they wrote themselves; of a message that reached us
    another way (a voicemail, a call, a letter), only that it arrived.
    """
    if direction == Message.Direction.OUTBOUND:
        return True
    return direction == Message.Direction.INBOUND and channel in CITIZEN_WRITTEN_CHANNELS


def can_citizen_see_event(kind: str, *, public: bool) -> bool:
    """Whether a timeline event is shown to the citizen (by its label): marked public, and a change of state."""
    return public and kind in CITIZEN_STATE_EVENTS


def can_citizen_see_subject(channel: str) -> bool:
    """A ticket's subject is the citizen's where they wrote it; a voicemail's names the caller's number."""
    return channel in CITIZEN_WRITTEN_CHANNELS
