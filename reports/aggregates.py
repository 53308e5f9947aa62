"""Maintain the daily aggregates (reports.models *Stat) from raw tickets.

Everything is one SQL GROUP BY per table over a range of local days, inserted after deleting
that range (on PostgreSQL as INSERT … SELECT, elsewhere through bulk_create): refreshing a (day, office) bucket, the beat task (today and
yesterday) and `rebuild_stats` (everything) run the same code, so they cannot disagree.
Durations are wall-clock (created → first response / resolution): business time would
need the office calendar per ticket in Python, too slow for a million rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from tickets.models import Channel, Citizen, Status, Ticket

from .models import DailyStat, DurationStat, HourlyStat, OperatorStat, ProfileStat

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
BATCH = 5000

# Histogram bucket upper bounds in seconds (bucket i holds durations <= BUCKET_BOUNDS[i]);
# the last bucket is open-ended. Percentiles are reported as the bound of the bucket
# holding the rank, so "median ≤ 2 h" is exact whatever the number of tickets.
BUCKET_BOUNDS: list[int] = [60 * m for m in (1, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080)] + [
    3600 * h for h in (24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440)
]
OPEN_BUCKET = len(BUCKET_BOUNDS)

RESOLVED_STATUSES = [Status.RESOLVED, Status.CLOSED]
ITALIAN_Q = Q(citizen__kind=Citizen.Kind.CITIZEN) | Q(citizen__nationality="IT")
FOREIGN_Q = ~ITALIAN_Q & (~Q(citizen__nationality="") | Q(citizen__kind=Citizen.Kind.FOREIGN_NATIONAL))


def local_bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """Aware instants of local midnight at day_from and after day_to (DST-safe: zoneinfo picks the offset)."""
    return (
        datetime.combine(day_from, time(0), tzinfo=LOCAL_TZ),
        datetime.combine(day_to + timedelta(days=1), time(0), tzinfo=LOCAL_TZ),
    )


def local_today() -> date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def _duration(end_field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end_field) - F("created_at"), output_field=DurationField())


def _bucket(field: str) -> Case:
    return Case(
        *[When(**{f"{field}__lte": timedelta(seconds=bound)}, then=Value(i)) for i, bound in enumerate(BUCKET_BOUNDS)],
        default=Value(OPEN_BUCKET),
    )


def _seconds(value) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value) // 1_000_000  # SQLite may hand back microseconds


def _insert(model, rows: Iterable) -> int:
    objs = list(rows)
    for start in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[start : start + BATCH])
    return len(objs)


def _tickets(day_from: date, day_to: date, office_id: int | None, field: str = "created_at"):
    start, end = local_bounds(day_from, day_to)
    tickets = Ticket.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    if office_id is not None:
        tickets = tickets.filter(office_id=office_id)
    return tickets.order_by()


def _daily_query(tickets, now: datetime):
    return (
        tickets.annotate(
            day=TruncDate("created_at", tzinfo=LOCAL_TZ),
            is_escalated=Case(When(escalated_at__isnull=False, then=Value(True)), default=Value(False)),
            fr=_duration("first_responded_at"),
            res=_duration("resolved_at"),
        )
        .values("day", "office_id", "queue_id", "channel", "topic_id", "is_escalated")
        .annotate(
            n_created=Count("id"),
            n_resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES)),
            n_resolved_front=Count("id", filter=Q(status__in=RESOLVED_STATUSES, escalated_at__isnull=True)),
            n_responded=Count("id", filter=Q(first_responded_at__isnull=False)),
            n_voicemail=Count("id", filter=Q(channel=Channel.VOICEMAIL)),
            # The voicemail's first-response due date is the office's next working day opening
            # (calendar with holidays and closures, fixed when it arrived): see compute_due_dates.
            n_voicemail_next_day=Count(
                "id",
                filter=Q(channel=Channel.VOICEMAIL, first_responded_at__lte=F("first_response_due_at")),
            ),
            n_fr_met=Count("id", filter=Q(first_responded_at__lte=F("first_response_due_at"))),
            n_fr_missed=Count(
                "id",
                filter=Q(first_responded_at__gt=F("first_response_due_at"))
                | Q(first_responded_at__isnull=True, first_response_due_at__lt=now),
            ),
            n_res_met=Count("id", filter=Q(status__in=RESOLVED_STATUSES, resolved_at__lte=F("resolution_due_at"))),
            n_res_missed=Count(
                "id",
                filter=Q(status__in=RESOLVED_STATUSES, resolved_at__gt=F("resolution_due_at"))
                | (~Q(status__in=RESOLVED_STATUSES) & Q(resolution_due_at__lt=now)),
            ),
            s_fr=Sum("fr"),
            s_res=Sum("res", filter=Q(status__in=RESOLVED_STATUSES)),
        )
    )


def _daily_rows(tickets, now: datetime):
    for row in _daily_query(tickets, now).iterator(chunk_size=BATCH):
        yield DailyStat(
            day=row["day"],
            office_id=row["office_id"],
            queue_id=row["queue_id"],
            channel=row["channel"],
            topic_id=row["topic_id"],
            escalated=row["is_escalated"],
            created=row["n_created"],
            resolved=row["n_resolved"],
            resolved_front=row["n_resolved_front"],
            responded=row["n_responded"],
            voicemail=row["n_voicemail"],
            voicemail_next_day=row["n_voicemail_next_day"],
            first_response_met=row["n_fr_met"],
            first_response_missed=row["n_fr_missed"],
            resolution_met=row["n_res_met"],
            resolution_missed=row["n_res_missed"],
            first_response_seconds=_seconds(row["s_fr"]),
            resolution_seconds=_seconds(row["s_res"]),
        )


def _profile_queries(tickets) -> list:
    day = TruncDate("created_at", tzinfo=LOCAL_TZ)
    profile = Case(
        When(ITALIAN_Q, then=Value("italian")), When(FOREIGN_Q, then=Value("foreign")), default=Value("unknown")
    )
    queries = [
        (ProfileStat.Dimension.PROFILE, tickets.annotate(day=day, value=profile)),
        (ProfileStat.Dimension.COUNTRY, tickets.filter(FOREIGN_Q).annotate(day=day, value=F("citizen__nationality"))),
        (ProfileStat.Dimension.KIND, tickets.annotate(day=day, value=F("citizen__kind"))),
    ]
    return [
        (dimension, query.values("day", "office_id", "channel", "value").annotate(n=Count("id")))
        for dimension, query in queries
    ]


def _profile_rows(tickets):
    for dimension, query in _profile_queries(tickets):
        for row in query.iterator(BATCH):
            yield ProfileStat(
                day=row["day"],
                office_id=row["office_id"],
                channel=row["channel"],
                dimension=dimension,
                value=row["value"] or "",
                created=row["n"],
            )


def _hourly_query(tickets):
    return (
        tickets.annotate(day=TruncDate("created_at", tzinfo=LOCAL_TZ), hour=ExtractHour("created_at", tzinfo=LOCAL_TZ))
        .values("day", "hour", "office_id", "channel")
        .annotate(n=Count("id"))
    )


def _hourly_rows(tickets):
    for row in _hourly_query(tickets).iterator(BATCH):
        yield HourlyStat(
            day=row["day"],
            weekday=row["day"].weekday(),
            hour=row["hour"],
            office_id=row["office_id"],
            channel=row["channel"],
            created=row["n"],
        )


def _duration_queries(tickets) -> list:
    day = TruncDate("created_at", tzinfo=LOCAL_TZ)
    queries = [
        (
            DurationStat.Metric.FIRST_RESPONSE,
            tickets.filter(first_responded_at__isnull=False).annotate(day=day, d=_duration("first_responded_at")),
        ),
        (
            DurationStat.Metric.RESOLUTION,
            tickets.filter(status__in=RESOLVED_STATUSES, resolved_at__isnull=False).annotate(
                day=day, d=_duration("resolved_at")
            ),
        ),
    ]
    return [
        (metric, query.annotate(b=_bucket("d")).values("day", "office_id", "channel", "b").annotate(n=Count("id")))
        for metric, query in queries
    ]


def _duration_rows(tickets):
    for metric, query in _duration_queries(tickets):
        for row in query.iterator(BATCH):
            yield DurationStat(
                day=row["day"],
                office_id=row["office_id"],
                channel=row["channel"],
                metric=metric,
                bucket=row["b"],
                count=row["n"],
            )


def _operator_query(resolved_tickets):
    return (
        resolved_tickets.filter(status__in=RESOLVED_STATUSES, assignee__isnull=False)
        .annotate(day=TruncDate("resolved_at", tzinfo=LOCAL_TZ), d=_duration("resolved_at"))
        .values("day", "office_id", "channel", "assignee_id")
        .annotate(n=Count("id"), s=Sum("d"))
    )


def _operator_rows(resolved_tickets):
    for row in _operator_query(resolved_tickets).iterator(BATCH):
        yield OperatorStat(
            day=row["day"],
            office_id=row["office_id"],
            channel=row["channel"],
            operator_id=row["assignee_id"],
            handled=row["n"],
            handling_seconds=_seconds(row["s"]),
        )


def _insert_select(model, columns: list[str], expressions: list[str], queryset, params: tuple = ()) -> int:
    """INSERT INTO model SELECT … FROM (the ORM's GROUP BY): the rows never leave PostgreSQL."""
    sql, query_params = queryset.query.sql_with_params()
    statement = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names are ours, values bound
        f"SELECT {', '.join(expressions)} FROM ({sql}) AS agg"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, *query_params))
        return cursor.rowcount


def _seconds_sql(column: str) -> str:
    return f"COALESCE(EXTRACT(EPOCH FROM {column}), 0)::bigint"


def _insert_all_postgres(created, resolved, now: datetime) -> int:
    daily_columns = [
        "day", "office_id", "queue_id", "channel", "topic_id", "escalated", "created", "resolved",
        "resolved_front", "responded", "voicemail", "voicemail_next_day", "first_response_met",
        "first_response_missed", "resolution_met", "resolution_missed",
    ]  # fmt: skip
    daily_expressions = [
        "day", "office_id", "queue_id", "channel", "topic_id", "is_escalated", "n_created", "n_resolved",
        "n_resolved_front", "n_responded", "n_voicemail", "n_voicemail_next_day", "n_fr_met", "n_fr_missed",
        "n_res_met", "n_res_missed",
    ]  # fmt: skip
    written = _insert_select(
        DailyStat,
        [*daily_columns, "first_response_seconds", "resolution_seconds"],
        [*daily_expressions, _seconds_sql("s_fr"), _seconds_sql("s_res")],
        _daily_query(created, now),
    )
    for dimension, query in _profile_queries(created):
        written += _insert_select(
            ProfileStat,
            ["day", "office_id", "channel", "dimension", "value", "created"],
            ["day", "office_id", "channel", "%s", "COALESCE(value, '')", "n"],
            query,
            (str(dimension),),
        )
    written += _insert_select(
        HourlyStat,
        ["day", "weekday", "hour", "office_id", "channel", "created"],
        ["day", "(EXTRACT(ISODOW FROM day) - 1)::int", "hour::int", "office_id", "channel", "n"],
        _hourly_query(created),
    )
    for metric, query in _duration_queries(created):
        written += _insert_select(
            DurationStat,
            ["day", "office_id", "channel", "metric", "bucket", "count"],
            ["day", "office_id", "channel", "%s", "b", "n"],
            query,
            (str(metric),),
        )
    written += _insert_select(
        OperatorStat,
        ["day", "office_id", "channel", "operator_id", "handled", "handling_seconds"],
        ["day", "office_id", "channel", "assignee_id", "n", _seconds_sql("s")],
        _operator_query(resolved),
    )
    return written


@transaction.atomic
def refresh_stats(day_from: date, day_to: date, *, office_id: int | None = None) -> int:
    """Recompute every aggregate for local days day_from..day_to (one office or all); returns rows written."""
    now = timezone.now()
    scope = Q(day__gte=day_from, day__lte=day_to)
    if office_id is not None:
        scope &= Q(office_id=office_id)
    for model in (DailyStat, ProfileStat, HourlyStat, DurationStat, OperatorStat):
        model.objects.filter(scope).delete()
    created = _tickets(day_from, day_to, office_id)
    resolved = _tickets(day_from, day_to, office_id, "resolved_at")
    if connection.vendor == "postgresql":
        return _insert_all_postgres(created, resolved, now)
    written = _insert(DailyStat, _daily_rows(created, now))
    written += _insert(ProfileStat, _profile_rows(created))
    written += _insert(HourlyStat, _hourly_rows(created))
    written += _insert(DurationStat, _duration_rows(created))
    written += _insert(OperatorStat, _operator_rows(resolved))
    return written


def rebuild_stats() -> int:
    """Recompute every aggregate from scratch over all tickets."""
    with transaction.atomic():
        for model in (DailyStat, ProfileStat, HourlyStat, DurationStat, OperatorStat):
            model.objects.all().delete()
        bounds = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at"), resolved=Max("resolved_at"))
        if bounds["first"] is None:
            return 0
        # Clocks drift and imports carry timestamps: cover every ticket, not only up to today.
        last = max(moment for moment in (bounds["last"], bounds["resolved"], timezone.now()) if moment is not None)
        return refresh_stats(bounds["first"].astimezone(LOCAL_TZ).date(), last.astimezone(LOCAL_TZ).date())
