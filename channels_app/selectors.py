"""Reads of the channels app for other screens (the desk's caller pop-up)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone

from tickets.models import ACTIVE_STATUSES, Office, Queue, Ticket

from .models import Call

# A call still "ringing" after this long lost its hang-up event: it no longer pops up.
RINGING_TIMEOUT = timedelta(minutes=10)


def _identities(user, operator) -> set[str]:
    names = {
        user.get_username(),
        user.get_full_name(),
        getattr(user, "email", ""),
        getattr(operator, "extension", "") if operator else "",
    }
    return {name.strip().lower() for name in names if name and name.strip()}


def ringing_calls_for(user) -> list[Call]:
    """Inbound calls ringing now for this operator, newest first, each with `.citizen` and `.open_tickets`.

    The PBX names who it rings in user[] (matched against the operator's extension, user name,
    full name or e-mail). A call naming nobody rings its queue's operators, or, when the queue is
    unknown here, every available front-office operator of the office whose number was dialled
    (the default office when the number is not an office's).
    """
    operator = getattr(user, "operator", None)
    if operator is None or not user.is_active:
        return []
    since = timezone.now() - RINGING_TIMEOUT
    calls = list(
        Call.objects.filter(status=Call.Status.RINGING, direction=Call.Direction.INBOUND, started_at__gte=since)
        .select_related("citizen")
        .prefetch_related(
            Prefetch(
                "citizen__tickets",
                queryset=Ticket.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
                .select_related("queue", "topic")
                .order_by("-created_at"),
                to_attr="open_tickets_prefetched",
            )
        )
        .order_by("-started_at", "-id")[:200]
    )
    if not calls:
        return []
    me = _identities(user, operator)
    queue_names: set[str] = set()
    my_queues: set[str] = set()
    office_numbers: dict[str, int] = {}
    default_office_id = None
    if any(not call.users for call in calls):  # only calls naming nobody need the queues and offices
        queue_names = {name.lower() for name in Queue.objects.filter(is_active=True).values_list("name", flat=True)}
        my_queues = {name.lower() for name in operator.queues.values_list("name", flat=True)}
        offices = list(
            Office.objects.filter(is_active=True).order_by("pk").values_list("pk", "phone_number", "toll_free_number")
        )
        default_office_id = offices[0][0] if offices else None
        office_numbers = {str(number): pk for pk, *numbers in offices for number in numbers if number}
    is_free_front = operator.role == operator.Role.FRONT_OFFICE and operator.presence == operator.Presence.AVAILABLE
    mine = []
    for call in calls:
        rung = {str(name).strip().lower() for name in call.users or []}
        if rung:
            ringing = bool(rung & me)
        elif call.queue and call.queue.lower() in queue_names:
            ringing = call.queue.lower() in my_queues
        else:
            # The office whose number was dialled (else the default office) rings its free front office.
            office_id = office_numbers.get(call.to_number, default_office_id)
            ringing = is_free_front and operator.office_id in (None, office_id)
        if ringing:
            call.open_tickets = list(getattr(call.citizen, "open_tickets_prefetched", [])) if call.citizen else []
            mine.append(call)
    return mine


def calls_for_citizen(citizen, *, limit: int = 20) -> list[Call]:
    """The citizen's latest calls, newest first (the 360° view)."""
    return list(Call.objects.filter(citizen=citizen).select_related("callback_ticket").order_by("-started_at")[:limit])


def call_log(*, status: str = "", direction: str = "", limit: int = 100) -> list[Call]:
    """The latest calls for the supervisor's call log, optionally only missed / only inbound."""
    calls = Call.objects.select_related("citizen", "callback_ticket").order_by("-started_at", "-id")
    if status:
        calls = calls.filter(status=status)
    if direction:
        calls = calls.filter(direction=direction)
    return list(calls[:limit])
