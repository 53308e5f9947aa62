"""Reads for the portal: published content in the citizen's language, search, office hours, status."""

from __future__ import annotations

import hashlib
import html
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tickets.access import (
    CITIZEN_MESSAGE_DIRECTIONS,
    CITIZEN_STATE_EVENTS,
    can_citizen_read_message,
    can_citizen_see_event,
    can_citizen_see_subject,
    visible_through,
)
from tickets.calendar import BusinessCalendar, get_calendar
from tickets.models import (
    Attachment,
    Channel,
    Citizen,
    Message,
    Office,
    OfficeHours,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)

from .models import Appointment, FaqEntry, FaqTopic, Procedure
from .sanitize import sanitize_answer

SEARCH_CONFIGS = {"it": "italian", "en": "english", "fr": "french", "es": "spanish"}
SEARCH_LIMIT = 20
TRIGRAM_THRESHOLD = 0.35
_TAGS = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"\w+", re.UNICODE)
# Words too common to search for on SQLite (PostgreSQL's configurations have their own lists).
_STOPWORDS_TEXT = (
    "the and for with what how can who why when where are you your does from this that "
    "che per con come del della delle dei degli dal una uno sono cosa quando dove posso devo "
    "les des une est pour avec que qui quoi comment quand dans sur mon mes "
    "los las para como cuando donde por mis puedo tengo"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def describe_office_hours(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    """Opening hours as (weekday name, "09:00–12:00, 14:00–16:00"), in the active language."""
    rows = []
    for weekday in range(7):
        slots = calendar.hours.get(weekday) or []
        if slots:
            label = str(OfficeHours.Weekday(weekday).label)
            rows.append((label, ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in slots)))
    return rows


# ----------------------------------------------------------------------------- localized content


@dataclass
class Localized:
    """A piece of content as shown in one language; `fallback` when Italian stands in for it."""

    obj: object
    fallback: bool
    text_language: str

    def __getattr__(self, name: str):
        return getattr(self.obj, name)


def localize(obj, language: str) -> Localized:
    translated = obj.is_translated(language)
    return Localized(obj=obj, fallback=not translated, text_language=language if translated else "it")


def _text(obj, field_name: str, language: str) -> str:
    if obj.is_translated(language):
        value = getattr(obj, f"{field_name}_{language}", "")
        if value:
            return value
    return getattr(obj, f"{field_name}_{settings.LANGUAGE_CODE}", "") or ""


@dataclass
class EntryView:
    entry: FaqEntry
    question: str
    answer: SafeString
    fallback: bool
    text_language: str
    related: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.entry.pk


def entry_view(entry: FaqEntry, language: str) -> EntryView:
    translated = entry.is_translated(language)
    return EntryView(
        entry=entry,
        question=_text(entry, "question", language),
        # Sanitized when written and again here: the database is not trusted with HTML.
        answer=mark_safe(sanitize_answer(_text(entry, "answer", language))),  # noqa: S308 - nh3 output
        fallback=not translated,
        text_language=language if translated else settings.LANGUAGE_CODE,
    )


def topic_view(topic: FaqTopic, language: str) -> dict:
    translated = topic.is_translated(language)
    return {
        "topic": topic,
        "name": _text(topic, "name", language),
        "description": _text(topic, "description", language),
        "fallback": not translated,
        "text_language": language if translated else settings.LANGUAGE_CODE,
    }


def list_faq_topics(language: str) -> list[dict]:
    """Topics with their published questions, in two queries."""
    entries = FaqEntry.objects.published().order_by("position", "pk")
    topics = FaqTopic.objects.prefetch_related(Prefetch("entries", queryset=entries, to_attr="published"))
    rows = []
    for topic in topics:
        if not topic.published:
            continue
        row = topic_view(topic, language)
        row["entries"] = [entry_view(entry, language) for entry in topic.published]
        rows.append(row)
    return rows


def get_faq_topic(slug: str) -> FaqTopic | None:
    return FaqTopic.objects.filter(slug=slug).first()


def get_faq_entry(topic_slug: str, slug: str, language: str) -> EntryView | None:
    entry = (
        FaqEntry.objects.published()
        .select_related("topic")
        .prefetch_related(Prefetch("related", queryset=FaqEntry.objects.published().select_related("topic")))
        .filter(slug=slug, topic__slug=topic_slug)
        .first()
    )
    if entry is None:
        return None
    view = entry_view(entry, language)
    view.related = [entry_view(other, language) for other in entry.related.all()]
    return view


def get_published_entry(entry_id: int) -> FaqEntry | None:
    return FaqEntry.objects.published().filter(pk=entry_id).first()


def list_published_procedures() -> list[Procedure]:
    return list(Procedure.objects.filter(is_published=True).select_related("office").order_by("position", "slug"))


def get_procedure(slug: str) -> Procedure | None:
    return Procedure.objects.filter(slug=slug, is_published=True).select_related("office").first()


def procedure_view(procedure: Procedure, language: str) -> dict:
    translated = procedure.is_translated(language)
    office = procedure.office
    return {
        "procedure": procedure,
        "title": procedure.text_in("title", language),
        "summary": procedure.text_in("summary", language),
        "documents": Procedure._lines(procedure.text_in("documents", language)),
        "fees": Procedure._lines(procedure.text_in("fees", language)),
        "where_to_go": procedure.text_in("where_to_go", language),
        "fallback": not translated,
        "text_language": language if translated else settings.LANGUAGE_CODE,
        "office": office_view(office) if office else None,
    }


# ----------------------------------------------------------------------------- offices


def office_view(office: Office, *, now: datetime | None = None) -> dict:
    calendar = get_calendar(office)
    now = now or timezone.now()
    return {
        "office": office,
        "hours": describe_office_hours(calendar),
        "is_open": calendar.is_open(now),
        "next_opening": None if calendar.is_open(now) else calendar.next_opening(now),
    }


def list_offices() -> list[dict]:
    return [office_view(office) for office in Office.objects.filter(is_active=True).order_by("name")]


# ----------------------------------------------------------------------------- search


@dataclass
class HitEntry:
    """An entry as a search result shows it: its question and link, never the whole answer."""

    pk: int
    slug: str
    topic_slug: str
    question: str
    fallback: bool
    text_language: str
    url: str


@dataclass
class SearchHit:
    entry: HitEntry
    snippet: SafeString


def _stem(word: str) -> str:
    """A tiny stemmer for SQLite: 'permessi' and 'permesso' both become 'permess'."""
    word = word.lower()
    if len(word) >= 5 and word.endswith("s"):
        word = word[:-1]
    if len(word) >= 5 and word[-1] in "aeiouy":
        word = word[:-1]
    return word


def _entry_url_format(language: str) -> str:
    """The entry page's URL in `language` as a format string: one reverse() per search, not per hit."""
    with translation.override(language):
        url = reverse("portal:faq_entry", args=["topic0slug", "entry0slug"])
    return url.replace("topic0slug", "{topic}", 1).replace("entry0slug", "{slug}", 1)


def _hit_entry(row: tuple, language: str, url_format: str) -> HitEntry:
    """(pk, slug, topic slug, question shown, translated) as a HitEntry."""
    pk, slug, topic_slug, question, translated = row
    return HitEntry(
        pk=pk,
        slug=slug,
        topic_slug=topic_slug,
        question=question or "",
        fallback=not translated,
        text_language=language if translated else settings.LANGUAGE_CODE,
        url=url_format.format(topic=topic_slug, slug=slug),
    )


def search_faq(query: str, language: str, *, limit: int = SEARCH_LIMIT, match_any: bool = False) -> list[SearchHit]:
    """Published entries matching `query` in the citizen's language, best first.

    `match_any` (suggestions while typing a subject): any word may match, the rank sorts;
    otherwise every word must match, as in a search engine.
    """
    query = " ".join((query or "").split())[:200]
    if not query:
        return []
    language = language if language in SEARCH_CONFIGS else settings.LANGUAGE_CODE
    # Citizens search the same few words over and over: the ranked hits are cached until the
    # FAQ changes (generation bumped by every edit) or for SEARCH_CACHE_SECONDS at most.
    digest = hashlib.sha256(f"{language}|{limit}|{match_any}|{query.lower()}".encode()).hexdigest()[:32]
    key = f"faq:search:{search_generation()}:{digest}"
    hits = caches["portal"].get(key)
    if hits is None:
        hits = _search_uncached(query, language, limit, match_any)
        caches["portal"].set(key, hits, SEARCH_CACHE_SECONDS)
    return hits


SEARCH_CACHE_SECONDS = 300
_GENERATION_KEY = "faq:search:generation"


_generation_seen: tuple[float, int] = (0.0, 0)
GENERATION_RECHECK_SECONDS = 2.0


def search_generation() -> int:
    """The FAQ's generation (shared cache), re-read at most every 2 s per process: an edit in the
    admin reaches every web process's cached searches within that time."""
    global _generation_seen
    now = time.monotonic()
    if now - _generation_seen[0] < GENERATION_RECHECK_SECONDS:
        return _generation_seen[1]
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = int(time.time() * 1000)
        cache.add(_GENERATION_KEY, generation, None)
    _generation_seen = (now, generation)
    return generation


def forget_search_generation() -> None:
    """This process changed the FAQ: read the new generation at once."""
    global _generation_seen
    _generation_seen = (0.0, 0)


def _search_uncached(query: str, language: str, limit: int, match_any: bool) -> list[SearchHit]:
    if connection.vendor == "postgresql":
        text = " or ".join(_WORDS.findall(query)) if match_any else query
        hits = _search_postgres(text, language, limit) if text else []
        if not hits:
            hits = _search_trigram(query, language, limit)
        return hits
    return _search_simple(query, language, limit, match_any=match_any)


def _translated_sql(language: str) -> str:
    """SQL for FaqEntry.is_translated(language) on the row aliased `e`."""
    if language == settings.LANGUAGE_CODE:
        return "TRUE"
    return f"(e.translation_{language} = 'ready' AND COALESCE(e.question_{language}, '') <> '')"


def _shown_sql(field_name: str, language: str) -> str:
    """SQL for selectors._text(): the field in `language` when translated and not empty, else Italian."""
    source = f"COALESCE(e.{field_name}_{settings.LANGUAGE_CODE}, '')"
    if language == settings.LANGUAGE_CODE:
        return source
    own = f"COALESCE(e.{field_name}_{language}, '')"
    return f"CASE WHEN {_translated_sql(language)} AND {own} <> '' THEN {own} ELSE {source} END"


def _trigram_question(language: str) -> str:
    # Must stay identical to the indexed expression of migration 0005 (matched textually).
    if language == "it":
        return "e.question_it"
    return f"COALESCE(NULLIF(e.question_{language}, ''), e.question_it)"


def _search_postgres(query: str, language: str, limit: int) -> list[SearchHit]:
    """One statement: rank the language's documents (its partial GIN index), keep the best
    `limit`, join their entries; the snippets are cut here from the shown answers.

    ts_headline() parsed and stemmed every shown answer again: 0.25 ms each, half of a
    search's database time. The query's stems (from the same tsquery) mark the words instead.
    """
    config = SEARCH_CONFIGS[language]
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    sql = f"""
        SELECT e.id, e.slug, t.slug, {_shown_sql("question", language)}, {_translated_sql(language)},
               {_shown_sql("answer", language)}, {tsquery}::text
        FROM (
            SELECT d.entry_id, ts_rank(d.document, {tsquery}) AS rank
            FROM faq_faqsearchdocument d
            WHERE d.language = '{language}' AND d.published AND d.document @@ {tsquery}
            ORDER BY rank DESC, d.entry_id
            LIMIT %s
        ) ranked
        JOIN faq_faqentry e ON e.id = ranked.entry_id
        JOIN faq_faqtopic t ON t.id = e.topic_id
        WHERE e.status = 'published'
        ORDER BY ranked.rank DESC, ranked.entry_id
    """  # noqa: S608 - language is one of SEARCH_CONFIGS, every value a parameter
    params = [config, query, config, query, config, query, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    url_format = _entry_url_format(language)
    stems = query_stems(rows[0][6]) if rows else ()
    return [
        SearchHit(entry=_hit_entry(row[:5], language, url_format), snippet=highlighted_snippet(row[5], stems))
        for row in rows
    ]


_LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")
SNIPPET_FRAGMENT_WORDS = 15
SNIPPET_FRAGMENTS = 2


def query_stems(tsquery: str) -> tuple[str, ...]:
    """The stems a tsquery looks for ("'permess' & 'rinnov'" gives permess, rinnov); not the excluded ones."""
    found = {match.group(2).replace("''", "'") for match in _LEXEME.finditer(tsquery or "") if not match.group(1)}
    return tuple(sorted(found, key=len, reverse=True))


def highlighted_snippet(answer: str, stems: tuple[str, ...]) -> SafeString:
    """Up to two short fragments of the answer around the words that start with one of `stems`, marked.

    Snowball stems begin the words they come from ('permess' for permesso, permessi): a prefix
    match marks what the search found. Without a match, the answer's beginning.
    """
    text = " ".join(html.unescape(_TAGS.sub(" ", answer or "")).split())
    tokens = re.split(r"(\w+)", text)  # words at the odd indexes
    words = tokens[1::2]
    matched = {index for index, word in enumerate(words) if stems and word.lower().startswith(stems)}
    fragments: list[tuple[int, int]] = []
    for index in sorted(matched):
        if len(fragments) == SNIPPET_FRAGMENTS:
            break
        if fragments and index < fragments[-1][1]:
            continue
        start = max(0, index - 3, fragments[-1][1] if fragments else 0)
        fragments.append((start, min(len(words), start + SNIPPET_FRAGMENT_WORDS)))
    if not fragments:
        fragments = [(0, min(len(words), SNIPPET_FRAGMENT_WORDS * SNIPPET_FRAGMENTS))]
    rendered = []
    for start, stop in fragments:
        # Plain runs escaped once each (django's escape() per word was 0.2 ms a snippet).
        pieces, run = [], [tokens[0]] if start == 0 else []  # "¿" before a Spanish question's first word
        for index in range(start, stop):
            if index in matched:
                pieces += [html.escape("".join(run)), f"<mark>{html.escape(words[index])}</mark>"]
                run = []
            else:
                run.append(words[index])
            if index + 1 < stop or stop == len(words):
                run.append(tokens[2 * index + 2])
        pieces.append(html.escape("".join(run)))
        rendered.append("".join(pieces))
    snippet = " … ".join(rendered)
    if fragments[0][0] > 0:
        snippet = "… " + snippet
    if fragments[-1][1] < len(words):
        snippet += " …"
    return mark_safe(snippet)  # noqa: S308 - every piece escaped


def _search_trigram(query: str, language: str, limit: int) -> list[SearchHit]:
    """Typo tolerance: 'permeso di soggiorno' still finds 'permesso di soggiorno'.

    `question %> query` is word_similarity(query, question) >= the threshold set below, which
    the trigram index of migration 0005 can answer (a plain comparison read every question).
    """
    question = _trigram_question(language)
    sql = f"""
        SELECT e.id, e.slug, t.slug, {_shown_sql("question", language)}, {_translated_sql(language)},
               {_shown_sql("answer", language)}, word_similarity(%s, {question}) AS similarity
        FROM faq_faqentry e
        JOIN faq_faqtopic t ON t.id = e.topic_id
        WHERE e.status = 'published' AND {question} %%> %s
        ORDER BY similarity DESC, e.id
        LIMIT %s
    """  # noqa: S608 - language is one of SEARCH_CONFIGS, every value a parameter
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)])
        cursor.execute(sql, [query, query, limit])
        rows = cursor.fetchall()
    url_format = _entry_url_format(language)
    return [
        SearchHit(entry=_hit_entry(row[:5], language, url_format), snippet=_plain_snippet_text(row[5])) for row in rows
    ]


def _plain_snippet(entry: FaqEntry, language: str, words: set[str] | None = None) -> SafeString:
    return _plain_snippet_text(_text(entry, "answer", language), words)


def _plain_snippet_text(answer: str, words: set[str] | None = None) -> SafeString:
    text = html.unescape(_TAGS.sub(" ", answer or ""))
    text = " ".join(text.split())
    if len(text) > 220:
        text = text[:220].rsplit(" ", 1)[0] + " …"
    if not words:
        return escape(text)
    pieces = []
    for token in re.split(r"(\w+)", text):
        if token and _stem(token) in words:
            pieces.append(f"<mark>{escape(token)}</mark>")
        else:
            pieces.append(escape(token))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped


def _search_simple(query: str, language: str, limit: int, *, match_any: bool = False) -> list[SearchHit]:
    """SQLite: words (crudely stemmed) in the question or answer of the active language, or Italian."""
    stems = {_stem(word) for word in _WORDS.findall(query) if len(word) >= 3 and word.lower() not in _STOPWORDS}
    if not stems:
        return []
    condition = Q()
    for stem in stems:
        condition |= (
            Q(**{f"question_{language}__icontains": stem})
            | Q(**{f"answer_{language}__icontains": stem})
            | Q(question_it__icontains=stem)
            | Q(answer_it__icontains=stem)
        )
    rows = list(FaqEntry.objects.published().select_related("topic").filter(condition)[:200])

    def score(entry: FaqEntry) -> tuple[int, int]:
        question = _text(entry, "question", language).lower()
        answer = _text(entry, "answer", language).lower()
        found = [stem for stem in stems if stem in question or stem in answer]
        return len(found), sum(1 for stem in found if stem in question)

    rows.sort(key=lambda entry: tuple(-n for n in score(entry)) + (entry.pk,))
    if not match_any:
        # A search engine's "all words": keep the entries that contain every word.
        rows = [entry for entry in rows if score(entry)[0] == len(stems)]
    url_format = _entry_url_format(language)
    return [
        SearchHit(
            entry=_hit_entry(
                (row.pk, row.slug, row.topic.slug, _text(row, "question", language), row.is_translated(language)),
                language,
                url_format,
            ),
            snippet=_plain_snippet(row, language, stems),
        )
        for row in rows[:limit]
    ]


# ----------------------------------------------------------------------------- status tracking


def find_status_token(*, reference: str, contact: str) -> str | None:
    """The ticket's access token when reference and contact (email or phone used) match; None otherwise.

    Same query and the same comparisons whether the reference exists or not, so the time
    taken says nothing about which half was wrong. Plain SQL: this runs on every lookup.
    """
    import hmac

    from channels_app.numbers import to_e164

    reference = (reference or "").strip().upper()[:32]
    contact = (contact or "").strip()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.access_token, c.email, c.phone FROM {Ticket._meta.db_table} t "  # noqa: S608 - table names
            f"JOIN {Citizen._meta.db_table} c ON c.id = t.citizen_id WHERE t.reference = %s",
            [reference],
        )
        row = cursor.fetchone()
    token, email, phone = row if row else (None, "", "")
    # The phone column holds E.164 (phonenumber_field), what to_e164 gives for the contact typed.
    email, phone = email or "", phone or ""
    # An email address is never a phone number: not parsing it depends on the input only.
    given_phone = ("" if "@" in contact else to_e164(contact)) or "\x00"
    email_ok = hmac.compare_digest(email.lower().encode() or b"\x00", contact.lower().encode() or b"\x01")
    phone_ok = hmac.compare_digest((phone or "\x01").encode(), given_phone.encode())
    if token is not None and contact and (email_ok or phone_ok):
        return token
    return None


def get_ticket_version_by_token(token: str) -> int | None:
    """The ticket's version (bumped by every change), enough to know whether a cached page is current.

    Plain SQL: every view of a status page asks it, most then served from the cache.
    """
    if not token or len(token) > 64:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {Ticket._meta.db_table} WHERE access_token = %s", [token])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def get_ticket_by_token(token: str) -> Ticket | None:
    if not token or len(token) > 64:
        return None
    return Ticket.objects.select_related("office", "assignee").filter(access_token=token).first()


# What the status page shows of a ticket; `has_appointments` spares the appointments query.
_STATUS_TICKET_SQL = """
    SELECT t.id, t.reference, t.access_token, t.subject, t.channel, t.status, t.tier, t.language, t.created_at,
           t.due_at, t.resolution_due_at, t.version, t.assignee_id, t.office_id, t.citizen_id,
           EXISTS(SELECT 1 FROM {appointment} a WHERE a.ticket_id = t.id AND a.status <> %s) AS has_appointments
    FROM {ticket} t WHERE t.access_token = %s
"""
# The rows a citizen may see, named (tickets.access): messages to and from them, events of a public kind.
_STATUS_MESSAGES_SQL = """
    SELECT m.id, m.ticket_id, m.direction, m.channel, m.text, m.created_at,
           EXISTS(SELECT 1 FROM {attachment} a WHERE a.message_id = m.id) AS has_attachments
    FROM {message} m WHERE m.ticket_id = %s AND m.direction IN (%s, %s) ORDER BY m.created_at, m.id
"""
_STATUS_EVENTS_SQL = """
    SELECT e.id, e.kind, e.created_at, e.to_status, e.data FROM {event} e
    WHERE e.ticket_id = %s AND e.public = %s AND e.kind IN ({kinds}) ORDER BY e.created_at, e.id
"""


def _tables() -> dict[str, str]:
    return {
        "ticket": Ticket._meta.db_table,
        "message": Message._meta.db_table,
        "attachment": Attachment._meta.db_table,
        "event": TicketEvent._meta.db_table,
        "appointment": Appointment._meta.db_table,
    }


def get_status_ticket(token: str) -> Ticket | None:
    """The ticket behind a status link, with the fields its page shows (plus `has_appointments`)."""
    if not token or len(token) > 64:
        return None
    # raw(): the model's converters (aware datetimes on SQLite too) without compiling a queryset.
    sql = _STATUS_TICKET_SQL.format(**_tables())
    return next(iter(Ticket.objects.raw(sql, [Appointment.Status.CANCELLED, token])), None)


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # "in", "out", "event"
    text: str = ""
    label: str = ""
    attachments: list = field(default_factory=list)


APPOINTMENT_EVENT_LABELS = {
    Appointment.Status.REQUESTED: _("Appointment requested"),
    Appointment.Status.PROPOSED: _("Appointment proposed"),
    Appointment.Status.CONFIRMED: _("Appointment confirmed"),
    Appointment.Status.CANCELLED: _("Appointment cancelled"),
}

# The kinds read for the timeline: the citizen's (tickets.access) and the appointments' (UPDATED, kept
# only when it is one of this app's appointment events). The messages tell their own events.
_STATUS_EVENT_KINDS = sorted({*CITIZEN_STATE_EVENTS, TicketEvent.Kind.UPDATED})

# What a citizen is shown of their message that reached us by a way they did not write in.
_ARRIVED_LABELS = {
    Channel.VOICEMAIL: _("Your voicemail message"),
    Channel.PHONE: _("Your phone call"),
    Channel.FAX: _("Your fax"),
    Channel.PAPER: _("Your letter"),
}


def _event_label(event: TicketEvent) -> str | None:
    """The label a citizen reads for an event, or None when the event is not theirs to see."""
    if event.kind == TicketEvent.Kind.UPDATED:
        status = (event.data or {}).get("appointment_status")
        return str(APPOINTMENT_EVENT_LABELS[status]) if status in Appointment.Status.values else None
    if not can_citizen_see_event(event.kind, public=True):  # public: the query kept only those
        return None
    return _choice_label(TicketEvent.Kind, event.kind)


def _message_item(message: Message, attachments: dict[int, list]) -> TimelineItem:
    """A message as its citizen sees it: the text and files when they are theirs to read, else that it arrived."""
    if can_citizen_read_message(message.direction, message.channel):
        return TimelineItem(
            at=message.created_at,
            kind=message.direction,
            text=message.text,
            attachments=attachments.get(message.pk, []),
        )
    label = _ARRIVED_LABELS.get(message.channel)
    return TimelineItem(at=message.created_at, kind=message.direction, label=str(label) if label else "")


def _choice_label(choices, value: str) -> str:
    """get_FOO_display() without its cost: that one translates every label of the field's
    choices to build a dict (0.7 ms for the three on a status page); this one translates one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value  # as get_FOO_display(): an unknown value shows as it is


def get_public_status(ticket: Ticket) -> dict:
    """What the citizen may see of their ticket, by the allow-list of tickets.access.

    What the office wrote to them, what they wrote themselves (of a voicemail, a call or a letter
    only that it arrived), where the request stands; never a note, a staff name, an event's data.
    Two queries for a ticket without attachments or appointments (the usual one): messages,
    events; attachments and appointments are read only when the rows say there are some.
    """
    tables = _tables()
    messages = list(
        Message.objects.raw(_STATUS_MESSAGES_SQL.format(**tables), [ticket.pk, *CITIZEN_MESSAGE_DIRECTIONS])
    )
    attachments: dict[int, list] = {}
    with_files = [m.pk for m in messages if m.has_attachments and can_citizen_read_message(m.direction, m.channel)]
    if with_files:
        for attachment in (
            Attachment.objects.filter(message_id__in=with_files)
            .only("id", "filename", "size", "message_id")
            .order_by("pk")
        ):
            attachments.setdefault(attachment.message_id, []).append(attachment)
    kinds = ", ".join(["%s"] * len(_STATUS_EVENT_KINDS))
    events = TicketEvent.objects.raw(
        _STATUS_EVENTS_SQL.format(**tables, kinds=kinds), [ticket.pk, True, *_STATUS_EVENT_KINDS]
    )
    timeline = [_message_item(m, attachments) for m in messages]
    for event in events:
        label = _event_label(event)
        if label is not None:
            timeline.append(TimelineItem(at=event.created_at, kind="event", label=label))
    timeline.sort(key=lambda item: item.at)
    appointments = []
    if getattr(ticket, "has_appointments", True):
        appointments = list(
            Appointment.objects.filter(ticket=ticket)
            .exclude(status=Appointment.Status.CANCELLED)
            .select_related("procedure", "office")
            .order_by("-requested_at")
        )
    return {
        "ticket": ticket,
        "status_label": _choice_label(Status, ticket.status),
        "show_subject": can_citizen_see_subject(ticket.channel),
        "tier_label": _choice_label(Tier, ticket.tier),
        "timeline": timeline,
        "appointments": appointments,
        "expected_by": ticket.due_at or ticket.resolution_due_at,
        "show_operator_names": getattr(settings, "SPORTELLO_PORTAL_SHOW_OPERATOR_NAMES", False),
    }


# ----------------------------------------------------------------------------- appointments


SLOT_MINUTES = 20


def list_free_slots(office: Office, *, days: int = 10, start: datetime | None = None, limit: int = 60) -> list:
    """Free 20-minute slots in the office's opening intervals over the next working days."""
    calendar = get_calendar(office)
    now = start or timezone.now()
    taken = set(
        Appointment.objects.filter(
            office=office,
            status__in=[Appointment.Status.PROPOSED, Appointment.Status.CONFIRMED],
            slot_start__gte=now,
        ).values_list("slot_start", flat=True)
    )
    slots: list[tuple[datetime, datetime]] = []
    day: date = timezone.localtime(now, calendar.tz).date() + timedelta(days=1)
    for offset in range(days * 2):
        for opens, closes in calendar.intervals(day + timedelta(days=offset)):
            cursor = opens
            while cursor + timedelta(minutes=SLOT_MINUTES) <= closes:
                if cursor not in taken:
                    slots.append((cursor, cursor + timedelta(minutes=SLOT_MINUTES)))
                    if len(slots) >= limit:
                        return slots
                cursor += timedelta(minutes=SLOT_MINUTES)
    return slots


def list_open_appointments(user) -> list[Appointment]:
    """Appointments still to arrange, of the requests this user may see in the desk."""
    return list(
        Appointment.objects.filter(status__in=[Appointment.Status.REQUESTED, Appointment.Status.PROPOSED])
        .filter(visible_through(user, "ticket"))
        .select_related("ticket", "ticket__citizen", "procedure", "office")
        .order_by("requested_at", "pk")
    )


def list_unhandled_feedback(limit: int = 200):
    from .models import FaqFeedback

    return list(FaqFeedback.objects.filter(handled=False).select_related("entry").order_by("-created_at")[:limit])
