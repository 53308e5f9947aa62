"""Reads for the operator desk: queue lists with keyset pagination, search, presence, phone lookup.

Every list runs a fixed number of queries whatever the page holds (pinned by tests/desk), and
never counts the whole table: the count shown is bounded ("50+").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import select_template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.access import is_supervisor, queue_ids_for, visible_tickets_filter
from tickets.models import ACTIVE_STATUSES, Citizen, Message, Queue, Status, Ticket, Topic
from tickets.refdata import cached_rows
from tickets.selectors import LIST_FIELDS, list_tickets

from .models import CannedReply, Operator

PAGE_SIZE = 50
# The count shown beside a list stops here: counting a million rows on every poll is what we avoid.
COUNT_LIMIT = 500
CITIZEN_MATCH_LIMIT = 200
VIEWER_TTL_SECONDS = 15

SCOPES = ("mine", "queue", "waiting", "due", "all", "search")


@dataclass
class TicketFilters:
    channel: str = ""
    topic_id: int | None = None
    status: str = ""
    language: str = ""
    office_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    query: str = ""


@dataclass
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str = ""
    count: int = 0
    count_is_bounded: bool = False
    filters: TicketFilters = field(default_factory=TicketFilters)

    @property
    def count_label(self) -> str:
        return f"{COUNT_LIMIT}+" if self.count_is_bounded else str(self.count)


# ----------------------------------------------------------------------------- list cache

# The lists are polled every 5 s by every operator: their rendered HTML is cached until any ticket
# changes (tickets.services.ticket_changed bumps the generation; so do changes to who may see
# what: operators, users, groups, queues — see operators.apps) or LIST_CACHE_SECONDS pass, so the
# "overdue" marks and the "due today" list follow the clock. operators.pagecache replays whole
# pages under the same rule.
LIST_CACHE_SECONDS = 20
GENERATION_KEY = "desk:lists:generation"


def bump_desk_generation(**_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(GENERATION_KEY, int(timezone.now().timestamp() * 1000), None)


def bump_now_and_on_commit(**_kwargs) -> None:
    """For a permission change: stop replays at once, and again after the commit, so a page cached
    between the two (still rendered from the old rows) is not replayed either."""
    bump_desk_generation()
    transaction.on_commit(bump_desk_generation)


def desk_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = int(timezone.now().timestamp() * 1000)
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def desk_list_cache_key(user, path: str, language: str, generation: int) -> str:
    digest = hashlib.sha256(f"{user.pk}|{language}|{path}".encode()).hexdigest()[:32]
    return f"desk:list:{generation}:{digest}"


# ----------------------------------------------------------------------------- cursors


def encode_cursor(ticket: Ticket) -> str:
    due = ticket.due_at.isoformat() if ticket.due_at else ""
    return base64.urlsafe_b64encode(f"{due}|{ticket.pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int] | None:
    """(due_at, id) of the last row seen, or None for a missing or tampered cursor (first page)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due_text, pk_text = raw.split("|", 1)
        due = parse_datetime(due_text) if due_text else None
        if due_text and due is None:
            return None
        return due, int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _after(cursor: tuple[datetime | None, int]) -> Q:
    """Rows after the cursor in (due_at NULLS LAST, id) order."""
    due, pk = cursor
    if due is None:
        return Q(due_at__isnull=True, pk__gt=pk)
    return Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk) | Q(due_at__isnull=True)


# ----------------------------------------------------------------------------- lists


def normalize_phone(raw: str) -> str:
    """E.164 of what the operator typed (+39 333 123 4567, 0039…, 333…), or "" if it is no number."""
    text = (raw or "").strip()
    if not text or sum(ch.isdigit() for ch in text) < 6:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _citizen_ids_matching(query: str) -> QuerySet[Citizen]:
    """Citizens by name (every word in the first or last name), email or phone, bounded."""
    phone = normalize_phone(query)
    if phone:
        condition = Q(phone=phone) | Q(phone_alt=phone)
    elif "@" in query:
        condition = Q(email__icontains=query)
    else:
        condition = Q()
        for word in query.split()[:4]:
            condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return Citizen.objects.filter(condition).values("pk")[:CITIZEN_MATCH_LIMIT]


def _message_ticket_ids_matching(query: str) -> QuerySet[Message]:
    if connection.vendor == "postgresql":
        # Served by the GIN index message_text_fts (operators/migrations/0004): the expression must match it.
        from django.contrib.postgres.search import SearchQuery, SearchVector

        matches = Message.objects.annotate(fts=SearchVector("text", config="simple")).filter(
            fts=SearchQuery(query, config="simple", search_type="websearch")
        )
    else:
        matches = Message.objects.filter(text__icontains=query)
    return matches.order_by().values("ticket_id")[:CITIZEN_MATCH_LIMIT]


def search_condition(query: str) -> Q:
    """Tickets matching a reference, a citizen's name, email or phone, or words of a message."""
    query = query.strip()
    if not query:
        return Q()
    reference = query.upper()
    prefix = settings.SPORTELLO_REFERENCE_PREFIX.upper() + "-"
    if reference.startswith(prefix):
        return Q(reference=reference)
    # The matching ids are fetched first (bounded lists): as subqueries ORed together, PostgreSQL
    # filtered every ticket the operator may see against them instead of reading the few matches.
    condition = Q(citizen_id__in=[row["pk"] for row in _citizen_ids_matching(query)])
    if not normalize_phone(query) and "@" not in query and len(query) >= 3:
        condition |= Q(pk__in=[row["ticket_id"] for row in _message_ticket_ids_matching(query)])
    return condition


def _filter_condition(filters: TicketFilters) -> Q:
    condition = Q()
    if filters.channel:
        condition &= Q(channel=filters.channel)
    if filters.topic_id:
        condition &= Q(topic_id=filters.topic_id)
    if filters.language:
        condition &= Q(language=filters.language)
    if filters.office_id:
        condition &= Q(office_id=filters.office_id)
    tz = timezone.get_current_timezone()
    if filters.created_from:
        condition &= Q(created_at__gte=datetime.combine(filters.created_from, time.min, tzinfo=tz))
    if filters.created_to:
        condition &= Q(created_at__lt=datetime.combine(filters.created_to + timedelta(days=1), time.min, tzinfo=tz))
    if filters.query:
        condition &= search_condition(filters.query)
    return condition


def scope_condition(user, scope: str, queue: Queue | None = None, *, status: str = "") -> Q:
    """What each desk list holds; visibility (access.py) is added on top by list_tickets.

    Lists show active requests unless the operator picked a status in the filters.
    """
    active = Q(status=status) if status else Q(status__in=ACTIVE_STATUSES)
    if scope == "mine":
        return Q(assignee_id=user.pk) & active
    if scope == "queue":
        return Q(queue_id=queue.pk) & active
    if scope == "waiting":
        return Q(status=Status.WAITING_CITIZEN)
    if scope == "due":
        tomorrow = datetime.combine(
            timezone.localdate() + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )
        return Q(due_at__lt=tomorrow) & active
    if scope == "search":
        return Q(status=status) if status else Q()
    return active  # "all"


def list_ticket_page(
    user, *, scope: str, filters: TicketFilters, queue: Queue | None = None, cursor: str = ""
) -> TicketPage:
    """One page of a desk list in due-date order: the page, and a bounded count only when needed."""
    condition = scope_condition(user, scope, queue, status=filters.status)
    condition &= _filter_condition(filters)
    tickets = (
        list_tickets(user, filters=condition)
        # The topic's name is read in the operator's language (modeltranslation): load those columns
        # too, or each row fetches its topic again.
        .only(*LIST_FIELDS, *(f"topic__name_{code}" for code in settings.LANGUAGE_CODES))
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )
    position = decode_cursor(cursor)
    page_rows = tickets.filter(_after(position)) if position else tickets
    rows = list(page_rows[: PAGE_SIZE + 1])
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else ""
    rows = rows[:PAGE_SIZE]
    # When the whole list is on this page its length is the count: no second query.
    whole_list = position is None and not next_cursor
    # Counted in index order with a LIMIT: the planner stops after COUNT_LIMIT rows.
    count = len(rows) if whole_list else tickets[: COUNT_LIMIT + 1].count()
    return TicketPage(
        tickets=rows,
        next_cursor=next_cursor,
        count=min(count, COUNT_LIMIT),
        count_is_bounded=count > COUNT_LIMIT,
        filters=filters,
    )


def list_desk_queues(user) -> list[Queue]:
    """The queues shown in the sidebar: the operator's own, all of them for supervisors.

    On every desk page: the active queues come from the cache (tickets.refdata), the operator's
    own are the ids the permission check has already read for this request.
    """
    queues = cached_rows(
        "desk-queues",
        lambda: list(
            Queue.objects.filter(is_active=True).select_related("office").order_by("office__name", "tier", "name")
        ),
        per_language=True,
    )
    if is_supervisor(user):
        return queues
    mine = queue_ids_for(user)
    return [queue for queue in queues if queue.pk in mine]


def list_filter_choices() -> dict:
    return {"topics": list(Topic.objects.filter(is_active=True).only("id", "name", "parent_id").order_by("name"))}


# ----------------------------------------------------------------------------- ticket view


def list_colleagues_for(ticket: Ticket) -> list[Operator]:
    """Operators who may be given this ticket: those working its queue."""
    return list(
        Operator.objects.filter(queues=ticket.queue_id)
        .select_related("user")
        .filter(user__is_active=True)
        .order_by("user__first_name", "user__last_name")
    )


def list_active_topics() -> list[Topic]:
    """The topics a ticket can be moved to, by name in the desk's language (from the cache)."""
    return cached_rows(
        "desk-topics", lambda: list(Topic.objects.filter(is_active=True).order_by("name")), per_language=True
    )


def list_canned_replies(ticket: Ticket) -> list[CannedReply]:
    """The replies for the ticket's topic and those for any topic (all active ones, from the cache)."""
    active = cached_rows(
        "desk-canned-replies",
        lambda: list(CannedReply.objects.filter(is_active=True).order_by("position", "title")),
        per_language=True,
    )
    return [reply for reply in active if reply.topic_id is None or reply.topic_id == ticket.topic_id]


def render_canned_reply(reply: CannedReply, ticket: Ticket, operator_name: str) -> str:
    """The reply's text in the ticket's language with its placeholders filled in."""
    from django.utils import translation

    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        text = reply.text  # modeltranslation reads the active language, falling back to Italian
    values = {
        "citizen_name": ticket.citizen.display_name,
        "reference": ticket.reference,
        "operator_name": operator_name,
        "office_name": ticket.office.name,
    }
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def optional_template(name: str) -> str:
    """The template's name if another part of the project provides it, else "" (the include is skipped)."""
    try:
        select_template([name])
    except Exception:
        return ""
    return name


# ----------------------------------------------------------------------------- who is looking


def _viewers_key(ticket_id: int) -> str:
    return f"desk:viewers:{ticket_id}"


def list_ticket_viewers(ticket_id: int, *, exclude_user_id: int | None = None) -> list[str]:
    """Names of the operators who had this ticket open in the last few seconds."""
    now = timezone.now().timestamp()
    viewers = cache.get(_viewers_key(ticket_id)) or {}
    return sorted(
        name
        for user_id, (name, seen) in viewers.items()
        if user_id != exclude_user_id and now - seen < VIEWER_TTL_SECONDS
    )


# ----------------------------------------------------------------------------- phone


@dataclass
class CallerMatch:
    citizen: Citizen
    open_tickets: list[Ticket]


def find_callers(user, number: str) -> list[CallerMatch]:
    """Citizens with this phone number and their open tickets this operator may see (two queries)."""
    phone = normalize_phone(number)
    if not phone:
        return []
    citizens = list(Citizen.objects.filter(Q(phone=phone) | Q(phone_alt=phone)).order_by("-pk")[:10])
    if not citizens:
        return []
    tickets = (
        Ticket.objects.filter(visible_tickets_filter(user))
        .filter(citizen__in=citizens, status__in=ACTIVE_STATUSES, merged_into__isnull=True)
        .select_related("queue")
        .order_by("-created_at")
    )
    by_citizen: dict[int, list[Ticket]] = {}
    for ticket in tickets[:100]:
        by_citizen.setdefault(ticket.citizen_id, []).append(ticket)
    return [CallerMatch(citizen=c, open_tickets=by_citizen.get(c.pk, [])) for c in citizens]


def ringing_calls_for(user) -> list:
    """Calls ringing on this operator's phone, from the CTI endpoint (channels_app), if it is installed."""
    try:
        from channels_app.selectors import ringing_calls_for as channel_ringing_calls
    except ImportError:
        return []
    from tickets.access import can_see_ticket

    calls = list(channel_ringing_calls(user))
    for call in calls:
        # The pop-up links only to requests this operator may open.
        call.open_tickets = [t for t in getattr(call, "open_tickets", []) if can_see_ticket(user, t)]
    return calls


# ----------------------------------------------------------------------------- FAQ answers


def search_faq(query: str, language: str) -> list:
    """FAQ hits in the citizen's language (faq app), for the "insert FAQ answer" box."""
    if not query.strip():
        return []
    from faq.selectors import search_faq as faq_search

    return faq_search(query, language, limit=8)


def get_faq_answer(entry_id: int, language: str) -> str | None:
    """The published answer as plain text in the citizen's language (Italian when not translated)."""
    import html
    import re

    from faq.selectors import entry_view, get_published_entry

    entry = get_published_entry(entry_id)
    if entry is None:
        return None
    view = entry_view(entry, language)
    text = re.sub(r"</p>|<br\s*/?>|</li>", "\n", str(view.answer))
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return f"{view.question}\n" + "\n".join(line for line in lines if line)
