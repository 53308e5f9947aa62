"""Bulk demo volumes: a million requests in minutes.

Rows are written directly (PostgreSQL COPY, SQLite bulk_create) with explicit
primary keys, so no per-row signal, save() or query runs; sequences are moved
past the written keys afterwards.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tickets.models import Citizen, Message, Office, Queue, Ticket, TicketEvent, Tier, Topic
from tickets.references import advance_sequence, format_reference, last_issued_number

from .content import (
    CHANNEL_WEIGHTS,
    FIRST_NAMES,
    LANGUAGE_BY_COUNTRY,
    LAST_NAMES,
    NATIONALITY_WEIGHTS,
    REQUESTS,
    TOPIC_WEIGHTS,
)

BATCH = 20_000
CITIZEN_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_alt",
    "whatsapp_id",
    "preferred_language",
    "nationality",
    "kind",
    "legal_basis",
    "consent_given",
    "consent_at",
    "consent_channel",
    "anonymized_at",
]
TICKET_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "reference",
    "access_token",
    "citizen_id",
    "channel",
    "language",
    "subject",
    "topic_id",
    "office_id",
    "queue_id",
    "tier",
    "status",
    "priority",
    "assignee_id",
    "case_file_ref",
    "outcome",
    "merged_into_id",
    "first_response_due_at",
    "resolution_due_at",
    "due_at",
    "first_responded_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
    "last_citizen_message_at",
    "version",
]
MESSAGE_COLUMNS = [
    "id",
    "ticket_id",
    "direction",
    "channel",
    "author_id",
    "sender",
    "subject",
    "text",
    "html",
    "external_id",
    "delivery_status",
    "delivery_error",
    "created_at",
]
EVENT_COLUMNS = ["id", "ticket_id", "kind", "actor_id", "from_status", "to_status", "public", "data", "created_at"]


def _weighted(rng: random.Random, weights: dict) -> list:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=4096)


class _Progress:
    def __init__(self, stdout, label: str, total: int) -> None:
        self.stdout, self.label, self.total, self.start, self.last = stdout, label, total, time.monotonic(), 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if done == self.total or now - self.last > 2:
            rate = done / max(now - self.start, 1e-6)
            self.stdout.write(f"  {self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s)")
            self.last = now


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _skip_foreign_key_checks_if_allowed() -> None:
    """The generated rows only reference rows that exist. Each one would still queue a deferred
    foreign-key check that locks its parent row (the same few offices, queues and topics a million
    times) at commit: many minutes of CPU. A superuser may switch those checks off for this
    transaction; any other role keeps them.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _write(model, columns: list[str], rows: Iterator[tuple], total: int, progress: _Progress) -> None:
    table = model._meta.db_table
    done = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.connection  # psycopg 3 connection
            with raw.cursor() as pg_cursor, pg_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if done % BATCH == 0:
                        progress.update(done)
        progress.update(done)
        return
    fields = {f.column: f.attname for f in model._meta.concrete_fields}
    batch = []
    for row in rows:
        batch.append(model(**{fields[c]: v for c, v in zip(columns, row, strict=True)}))
        if len(batch) >= 2000:
            model.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            progress.update(done)
    if batch:
        model.objects.bulk_create(batch)
        done += len(batch)
    progress.update(done)


def _reset_identity(model) -> None:
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))",  # noqa: S608
            [table],
        )


def seed_citizens(count: int, stdout, rng: random.Random) -> tuple[int, int]:
    first_id = _next_id(Citizen)
    nationalities = _weighted(rng, NATIONALITY_WEIGHTS)
    now = timezone.now()

    def rows():
        for offset in range(count):
            pk = first_id + offset
            country = nationalities[offset % 4096] if offset % 4096 else rng.choice(nationalities)
            first = rng.choice(FIRST_NAMES[country])
            last = rng.choice(LAST_NAMES[country])
            handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            has_email = offset % 3 != 0
            kind = (
                "citizen"
                if country == "IT"
                else (
                    "foreign_national",
                    "foreign_national",
                    "foreign_national",
                    "employer",
                    "family_member",
                    "other",
                )[offset % 6]
            )
            phone = f"+3932{pk:08d}"
            created = now - timedelta(days=rng.randint(0, 730))
            yield (
                pk,
                created,
                created,
                first,
                last,
                f"{handle}.{pk}@example.org" if has_email else "",
                phone,
                "",
                f"3932{pk:08d}" if offset % 4 == 0 else "",
                LANGUAGE_BY_COUNTRY[country],
                country,
                kind,
                "public_task",
                False,
                None,
                "",
                None,
            )

    _write(Citizen, CITIZEN_COLUMNS, rows(), count, _Progress(stdout, "citizens", count))
    _reset_identity(Citizen)
    return first_id, first_id + count - 1


def _created_at(rng: random.Random, now: datetime, days: int) -> datetime:
    # Office hours dominate, with a long evening/weekend tail (email, WhatsApp, voicemail).
    day = now - timedelta(days=rng.randint(0, days))
    if rng.random() < 0.8:
        hour = rng.choice([9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 14, 14, 15, 15, 16, 17])
    else:
        hour = rng.randint(0, 23)
    moment = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)
    return min(moment, now)


def seed_tickets(count: int, citizen_range: tuple[int, int], stdout, rng: random.Random, days: int = 365) -> None:
    offices = list(Office.objects.all())
    queues = {(q.office_id, q.tier): q.pk for q in Queue.objects.filter(is_default=True)}
    topic_ids = {t.slug: t.pk for t in Topic.objects.filter(parent__isnull=True)}
    channels = _weighted(rng, CHANNEL_WEIGHTS)
    topics = _weighted(rng, {k: v for k, v in TOPIC_WEIGHTS.items() if k in topic_ids})
    from django.contrib.auth import get_user_model

    staff = {
        tier: list(get_user_model().objects.filter(operator__role=role).values_list("pk", flat=True))
        for tier, role in ((Tier.FRONT, "front_office"), (Tier.BACK, "back_office"))
    }
    now = timezone.now()
    first_ticket = _next_id(Ticket)
    first_message = _next_id(Message)
    first_event = _next_id(TicketEvent)
    # Numbers continue each year's sequence; dates are drawn first so numbers follow creation order.
    created = sorted(_created_at(rng, now, days) for _ in range(count))
    year_counters: dict[int, int] = {}
    for year in {c.year for c in created}:
        year_counters[year] = last_issued_number(year)
    plan = []
    for offset, when in enumerate(created):
        local_year = timezone.localtime(when).year
        year_counters[local_year] = year_counters.get(local_year, 0) + 1
        plan.append((first_ticket + offset, when, year_counters[local_year], local_year))
    lo, hi = citizen_range
    statuses_old = ["closed"] * 55 + ["resolved"] * 30 + ["waiting_citizen"] * 5 + ["in_progress"] * 5 + ["open"] * 5
    statuses_new = (
        ["new"] * 30
        + ["open"] * 25
        + ["escalated"] * 10
        + ["in_progress"] * 15
        + ["waiting_citizen"] * 10
        + ["resolved"] * 10
    )

    def ticket_rows():
        for offset, (pk, when, number, year) in enumerate(plan):
            office = offices[0] if (offset % 10) else offices[-1]
            channel = channels[offset % 4096]
            slug = topics[(offset * 7) % 4096]
            age = now - when
            status = rng.choice(statuses_old if age > timedelta(days=14) else statuses_new)
            escalated = status in ("escalated", "in_progress") or (
                status in ("resolved", "closed") and offset % 4 == 0
            )
            tier = Tier.BACK if escalated else Tier.FRONT
            assignee = (
                None if status in ("new", "escalated") else rng.choice(staff[tier] or staff[Tier.FRONT] or [None])
            )
            citizen = rng.randint(lo, hi)
            language = ("it", "it", "it", "en", "en", "fr", "es")[offset % 7]
            first_due = when + timedelta(hours=4 if channel != "voicemail" else 16)
            resolution_due = when + timedelta(hours=72)
            responded = when + timedelta(minutes=rng.randint(5, 600)) if status not in ("new", "escalated") else None
            resolved = when + timedelta(hours=rng.randint(1, 120)) if status in ("resolved", "closed") else None
            closed = resolved + timedelta(days=7) if status == "closed" and resolved else None
            yield (
                pk,
                when,
                resolved or when,
                format_reference(year, number),
                secrets.token_urlsafe(24),
                citizen,
                channel,
                language,
                REQUESTS[slug][language][0],
                topic_ids[slug],
                office.pk,
                queues.get((office.pk, tier)) or queues[(offices[0].pk, tier)],
                tier,
                status,
                (1, 2, 2, 2, 2, 2, 3, 4)[offset % 8],
                assignee,
                "",
                "answered" if resolved else "",
                None,
                first_due,
                resolution_due,
                resolution_due if responded else first_due,
                responded,
                when + timedelta(minutes=30) if escalated else None,
                resolved,
                closed,
                when,
                1,
            )

    with transaction.atomic():
        _skip_foreign_key_checks_if_allowed()
        _write(Ticket, TICKET_COLUMNS, ticket_rows(), count, _Progress(stdout, "requests", count))
        for year, last in year_counters.items():
            advance_sequence(year, last)

        def message_rows():
            for offset, (pk, when, _number, _year) in enumerate(plan):
                language = ("it", "it", "it", "en", "en", "fr", "es")[offset % 7]
                slug = topics[(offset * 7) % 4096]
                subject, text = REQUESTS[slug][language]
                yield (
                    first_message + offset,
                    pk,
                    "in",
                    channels[offset % 4096],
                    None,
                    "",
                    subject,
                    text,
                    "",
                    "",
                    "",
                    "",
                    when,
                )

        _write(Message, MESSAGE_COLUMNS, message_rows(), count, _Progress(stdout, "messages", count))

        def event_rows():
            for offset, (pk, when, _number, _year) in enumerate(plan):
                yield (
                    first_event + offset,
                    pk,
                    "created",
                    None,
                    "",
                    "new",
                    True,
                    '{"bulk": true}' if connection.vendor == "postgresql" else {"bulk": True},
                    when,
                )

        _write(TicketEvent, EVENT_COLUMNS, event_rows(), count, _Progress(stdout, "events", count))
    for model in (Ticket, Message, TicketEvent):
        _reset_identity(model)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Citizen, Ticket, Message, TicketEvent):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
