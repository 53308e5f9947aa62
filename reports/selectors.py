"""Reads behind the live board and the reports: aggregates for ranges, raw tickets only for 'now'."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import ExtractHour, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contactcenter.health import get_board_readiness
from operators.models import Operator, Role
from tickets.models import ACTIVE_STATUSES, Channel, Citizen, Office, Queue, Status, Ticket, TicketEvent, Tier, Topic

from .aggregates import BUCKET_BOUNDS, LOCAL_TZ, local_bounds, local_today
from .continents import CONTINENT_NAMES, continent_of
from .models import DailyStat, DurationStat, HourlyStat, OperatorStat, ProblemLink, ProfileStat, RecurringProblem

WAITING_STATUSES = [Status.NEW, Status.ESCALATED, Status.REOPENED]
WORKING_STATUSES = [Status.OPEN, Status.IN_PROGRESS]
# Waiting for the citizen stops the clock: not counted as overdue on the board.
CLOCK_STATUSES = [s for s in ACTIVE_STATUSES if s != Status.WAITING_CITIZEN]


def percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours = seconds / 3600
    if hours < 48:
        return _("%(n)s h") % {"n": f"{hours:.1f}".rstrip("0").rstrip(".")}
    return _("%(n)s days") % {"n": f"{hours / 24:.1f}".rstrip("0").rstrip(".")}


# ----------------------------------------------------------------------------- live board


@dataclass
class QueueRow:
    queue: Queue
    waiting: int = 0
    oldest_waiting_at: datetime | None = None
    in_progress: int = 0
    waiting_citizen: int = 0
    overdue: int = 0
    due_soon: int = 0
    now: datetime = field(default_factory=timezone.now)

    @property
    def oldest_waiting_minutes(self) -> int | None:
        if self.oldest_waiting_at is None:
            return None
        return max(0, int((self.now - self.oldest_waiting_at).total_seconds() // 60))

    @property
    def alarm(self) -> bool:
        minutes = self.oldest_waiting_minutes
        return minutes is not None and minutes >= self.queue.alarm_minutes


BOARD_SNAPSHOT_KEY = "reports:board-snapshot"
BOARD_WATCHED_KEY = "reports:board-watched"


def compute_live_counts(now: datetime) -> dict:
    """The board's costly counts over every active ticket: per queue and status, and per assignee.

    Cost grows with the active backlog (not with history): two index-only scans over it
    and one over unassigned waiting tickets. Kept as a snapshot (get_live_counts) so that
    any number of supervisors polling every 5 s cost one computation per few seconds.
    """
    # Leading columns named explicitly so PostgreSQL answers from the (queue, status, due_at)
    # and (assignee, status, due_at) indexes without visiting the table.
    queue_ids = list(Queue.objects.values_list("pk", flat=True))
    user_ids = list(Operator.objects.values_list("user_id", flat=True))
    per_status = (
        Ticket.objects.filter(queue_id__in=queue_ids, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("queue_id", "status")
        .annotate(
            n=Count("*"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(hours=1))),
        )
    )
    queues: dict[int, dict] = defaultdict(
        lambda: {"in_progress": 0, "waiting_citizen": 0, "overdue": 0, "due_soon": 0, "waiting": 0, "oldest": None}
    )
    for queue_id, status, n, overdue, soon in per_status:
        row = queues[queue_id]
        if status in WORKING_STATUSES or status in WAITING_STATUSES:
            row["in_progress"] += n  # waiting ones that nobody holds are taken off below
        elif status == Status.WAITING_CITIZEN:
            row["waiting_citizen"] += n
        if status in CLOCK_STATUSES:
            row["overdue"] += overdue
            row["due_soon"] += soon
    waiting = (
        Ticket.objects.filter(status__in=WAITING_STATUSES, assignee__isnull=True)
        .order_by()
        .values_list("queue_id")
        .annotate(n=Count("*"), oldest=Min("created_at"))
    )
    for queue_id, n, oldest in waiting:
        row = queues[queue_id]
        row["waiting"], row["oldest"] = n, oldest
        row["in_progress"] -= n
    load = dict(
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("*"))
    )
    return {"computed_at": now, "queues": dict(queues), "load": load}


def get_live_counts(now: datetime) -> dict:
    """The latest snapshot if recent enough (the beat task keeps it fresh), else computed now and shared."""
    cache.set(BOARD_WATCHED_KEY, True, 120)  # the beat task computes only while someone watches
    max_age = timedelta(seconds=getattr(settings, "SPORTELLO_BOARD_SNAPSHOT_SECONDS", 10))
    snapshot = cache.get(BOARD_SNAPSHOT_KEY)
    if snapshot is not None and timedelta(0) <= now - snapshot["computed_at"] <= max_age:
        return snapshot
    snapshot = compute_live_counts(now)
    cache.set(BOARD_SNAPSHOT_KEY, snapshot, 60)
    return snapshot


def get_board(*, office_id: int | None = None, now: datetime | None = None) -> dict:
    """Everything the live board shows, in a fixed number of queries."""
    now = now or timezone.now()
    queues = Queue.objects.filter(is_active=True).select_related("office").order_by("office__name", "tier", "name")
    if office_id:
        queues = queues.filter(office_id=office_id)
    counts = get_live_counts(now)
    rows = {}
    for queue in queues:
        found = counts["queues"].get(queue.pk, {})
        rows[queue.pk] = QueueRow(
            queue=queue,
            now=now,
            waiting=found.get("waiting", 0),
            oldest_waiting_at=found.get("oldest"),
            in_progress=found.get("in_progress", 0),
            waiting_citizen=found.get("waiting_citizen", 0),
            overdue=found.get("overdue", 0),
            due_soon=found.get("due_soon", 0),
        )
    today = local_today()
    start_today, end_today = local_bounds(today, today)
    inbound = get_inbound_today(office_id=office_id, today=today, now=now)
    inbound_chart = {
        "type": "line",
        "labels": [f"{h:02d}" for h in inbound["hours"]],
        "datasets": [
            {"label": _("Today"), "data": inbound["total_today"][: now.astimezone(LOCAL_TZ).hour + 1]},
            {"label": _("Same weekday last week"), "data": inbound["total_last_week"]},
        ],
    }
    return {
        "now": now,
        "counted_at": counts["computed_at"],
        "inbound_chart": inbound_chart,
        "inbound_chart_json": json.dumps(inbound_chart),
        "queues": list(rows.values()),
        "alarms": [row for row in rows.values() if row.alarm],
        "operators": list_operator_load(office_id=office_id, since=start_today, load=counts["load"]),
        "inbound": inbound,
        "day_bounds": (start_today, end_today),
        # Broker, workers and cache as /readyz sees them (the database answered this page).
        "services": get_board_readiness(),
    }


def list_operator_load(*, office_id: int | None, since: datetime, load: dict[int, int]) -> list[dict]:
    operators = Operator.objects.select_related("user", "office").order_by("role", "user__last_name", "user__username")
    if office_id:
        operators = operators.filter(office_id=office_id)
    operators = list(operators)
    user_ids = [operator.user_id for operator in operators]
    handled = dict(
        TicketEvent.objects.filter(kind=TicketEvent.Kind.RESOLVED, created_at__gte=since, actor_id__in=user_ids)
        .order_by()
        .values_list("actor_id")
        .annotate(n=Count("ticket_id", distinct=True))
    )
    return [
        {
            "operator": operator,
            "load": load.get(operator.user_id, 0),
            "handled_today": handled.get(operator.user_id, 0),
        }
        for operator in operators
    ]


def _hourly_counts(tickets) -> dict[tuple[str, int], int]:
    rows = (
        tickets.order_by()
        .annotate(hour=ExtractHour("created_at", tzinfo=LOCAL_TZ))
        .values_list("channel", "hour")
        .annotate(n=Count("id"))
    )
    return {(channel, hour): n for channel, hour, n in rows}


def get_inbound_today(*, office_id: int | None, today: date, now: datetime) -> dict:
    """Today's arrivals per channel and hour, against the same weekday last week (both from raw tickets)."""
    last_week = today - timedelta(days=7)
    scope = Ticket.objects.filter(office_id=office_id) if office_id else Ticket.objects.all()
    start, end = local_bounds(today, today)
    then_start, then_end = local_bounds(last_week, last_week)
    current = _hourly_counts(scope.filter(created_at__gte=start, created_at__lt=end))
    previous = _hourly_counts(scope.filter(created_at__gte=then_start, created_at__lt=then_end))
    hours = list(range(24))
    channels = [c for c in Channel if any((c.value, h) in current or (c.value, h) in previous for h in hours)]
    table = []
    for channel in channels:
        table.append(
            {
                "channel": channel.label,
                "today": [current.get((channel.value, h), 0) for h in hours],
                "last_week": [previous.get((channel.value, h), 0) for h in hours],
            }
        )
    rows = [
        {"channel": row["channel"], "cells": list(zip(row["today"], row["last_week"], strict=True))} for row in table
    ]
    total_today = [sum(current.get((c.value, h), 0) for c in Channel) for h in hours]
    total_last_week = [sum(previous.get((c.value, h), 0) for c in Channel) for h in hours]
    return {
        "hours": hours,
        "channels": table,
        "rows": rows,
        "total_today": total_today,
        "total_last_week": total_last_week,
        "sum_today": sum(total_today),
        "sum_last_week_same_time": sum(total_last_week[: now.astimezone(LOCAL_TZ).hour + 1]),
        "sum_last_week": sum(total_last_week),
        "last_week_day": last_week,
    }


# ----------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    office_id: int | None = None
    channel: str = ""

    def scope(self, *, channel: bool = True) -> Q:
        q = Q(day__gte=self.date_from, day__lte=self.date_to)
        if self.office_id:
            q &= Q(office_id=self.office_id)
        if channel and self.channel:
            q &= Q(channel=self.channel)
        return q


@dataclass
class Report:
    key: str
    title: str
    summary: str
    columns: list[str]
    rows: list[list]
    chart: dict
    note: str = ""
    highlight_row: int | None = None  # e.g. the peak day
    extra: dict = field(default_factory=dict)


def _chart(kind: str, labels: list, datasets: list[dict], **options) -> dict:
    return {"type": kind, "labels": [str(label) for label in labels], "datasets": datasets, **options}


def report_topics(f: ReportFilter) -> Report:
    rows = list(
        DailyStat.objects.filter(f.scope()).order_by().values("topic_id").annotate(n=Sum("created")).order_by("-n")
    )
    names = {t.pk: str(t) for t in Topic.objects.select_related("parent").filter(pk__in=[r["topic_id"] for r in rows])}
    total = sum(r["n"] for r in rows)
    table = [[names.get(r["topic_id"], _("No topic")), r["n"], percent(r["n"], total)] for r in rows]
    if table:
        summary = _("%(topic)s is the most frequent topic with %(share)s %% of %(total)d requests.") % {
            "topic": table[0][0],
            "share": table[0][2],
            "total": total,
        }
    else:
        summary = _("No requests in this period.")
    return Report(
        key="topics",
        title=_("Requests by topic"),
        summary=summary,
        columns=[_("Topic"), _("Requests"), _("Share (%)")],
        rows=table,
        chart=_chart("doughnut", [r[0] for r in table], [{"label": _("Share (%)"), "data": [r[2] for r in table]}]),
    )


def _profile_counts(f: ReportFilter, dimension: str) -> dict[str, int]:
    rows = (
        ProfileStat.objects.filter(f.scope(), dimension=dimension)
        .order_by()
        .values_list("value")
        .annotate(n=Sum("created"))
    )
    return dict(rows)


def _share_report(key: str, title: str, label: str, counts: list[tuple[str, int]], summary_text: str) -> Report:
    counts = sorted(counts, key=lambda item: -item[1])
    total = sum(n for _label, n in counts)
    table = [[name, n, percent(n, total)] for name, n in counts]
    summary = (
        summary_text % {"name": table[0][0], "share": table[0][2], "total": total}
        if table
        else _("No requests in this period.")
    )
    return Report(
        key=key,
        title=title,
        summary=summary,
        columns=[label, _("Requests"), _("Share (%)")],
        rows=table,
        chart=_chart("bar", [r[0] for r in table], [{"label": _("Share (%)"), "data": [r[2] for r in table]}]),
    )


def report_profile(f: ReportFilter) -> Report:
    names = {"italian": _("Italian citizens"), "foreign": _("Foreign nationals"), "unknown": _("Not known")}
    counts = _profile_counts(f, ProfileStat.Dimension.PROFILE)
    return _share_report(
        "profile",
        _("Users by profile"),
        _("Profile"),
        [(names.get(value, value), n) for value, n in counts.items()],
        _("%(name)s make %(share)s %% of %(total)d requests."),
    )


def report_continents(f: ReportFilter) -> Report:
    by_continent: dict[str, int] = defaultdict(int)
    for country, n in _profile_counts(f, ProfileStat.Dimension.COUNTRY).items():
        by_continent[continent_of(country)] += n
    return _share_report(
        "continents",
        _("Foreign nationals by continent"),
        _("Continent"),
        [(str(CONTINENT_NAMES[code]), n) for code, n in by_continent.items()],
        _("%(name)s is the most frequent origin of foreign nationals, with %(share)s %% of %(total)d requests."),
    )


def report_countries(f: ReportFilter) -> Report:
    from django_countries import countries

    return _share_report(
        "countries",
        _("Foreign nationals by country"),
        _("Country of nationality"),
        [
            (countries.name(code) if code else _("Not known"), n)
            for code, n in _profile_counts(f, ProfileStat.Dimension.COUNTRY).items()
        ],
        _("%(name)s is the most frequent nationality of foreign nationals, with %(share)s %% of %(total)d requests."),
    )


def report_kinds(f: ReportFilter) -> Report:
    labels = dict(Citizen.Kind.choices)
    return _share_report(
        "kinds",
        _("Users by kind"),
        _("Kind"),
        [(str(labels.get(value, value)), n) for value, n in _profile_counts(f, ProfileStat.Dimension.KIND).items()],
        _("“%(name)s” is the largest group, with %(share)s %% of %(total)d requests."),
    )


def report_volume(f: ReportFilter) -> Report:
    rows = DailyStat.objects.filter(f.scope()).order_by().values_list("day", "channel").annotate(n=Sum("created"))
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, channel, n in rows:
        per_day[day][channel] = n
    channels = [c for c in Channel if any(c.value in counts for counts in per_day.values())]
    days = []
    day = f.date_from
    while day <= f.date_to:
        days.append(day)
        day += timedelta(days=1)
    table = []
    for day in days:
        counts = per_day.get(day, {})
        table.append([day.isoformat(), *[counts.get(c.value, 0) for c in channels], sum(counts.values())])
    peak_index = None
    if table and max(row[-1] for row in table) > 0:
        peak_index = max(range(len(table)), key=lambda i: (table[i][-1], -i))
    total = sum(row[-1] for row in table)
    if peak_index is not None:
        summary = _("%(total)d requests in %(days)d days; the peak was %(day)s with %(n)d requests.") % {
            "total": total,
            "days": len(days),
            "day": date_format(days[peak_index], "DATE_FORMAT"),
            "n": table[peak_index][-1],
        }
    else:
        summary = _("No requests in this period.")
    datasets = [
        {"label": str(c.label), "data": [row[1 + i] for row in table], "stack": "channels"}
        for i, c in enumerate(channels)
    ]
    return Report(
        key="volume",
        title=_("Volume per day and channel"),
        summary=summary,
        columns=[_("Day"), *[str(c.label) for c in channels], _("Total")],
        rows=table,
        chart=_chart("bar", [row[0] for row in table], datasets, stacked=True, peak=peak_index),
        highlight_row=peak_index,
    )


def report_heatmap(f: ReportFilter) -> Report:
    weekday_names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    grid = [[0] * 24 for _day in range(7)]
    rows = HourlyStat.objects.filter(f.scope()).order_by().values_list("weekday", "hour").annotate(n=Sum("created"))
    for weekday, hour, n in rows:
        grid[weekday][hour] = n
    busiest = max(((n, d, h) for d, hours in enumerate(grid) for h, n in enumerate(hours)), default=(0, 0, 0))
    if busiest[0]:
        summary = _(
            "The busiest hour is %(weekday)s %(hour)02d:00–%(hour)02d:59 with %(n)d requests (local time, Europe/Rome)."
        ) % {
            "weekday": weekday_names[busiest[1]],
            "hour": busiest[2],
            "n": busiest[0],
        }
    else:
        summary = _("No requests in this period.")
    peak = busiest[0] or 1
    points = [
        {"x": h, "y": d, "r": round(2 + 12 * n / peak, 1), "v": n}
        for d, hours in enumerate(grid)
        for h, n in enumerate(hours)
        if n
    ]
    return Report(
        key="heatmap",
        title=_("Requests by weekday and hour"),
        summary=summary,
        columns=[_("Weekday"), *[f"{h:02d}" for h in range(24)]],
        rows=[[weekday_names[d], *grid[d]] for d in range(7)],
        chart={
            "type": "bubble",
            "labels": [],
            "datasets": [{"label": _("Requests"), "data": points}],
            "yLabels": weekday_names,
        },
        note=_("Hours in local time (Europe/Rome)."),
        extra={
            "cells": [
                (weekday_names[d], [(n, min(5, -(-5 * n // peak)) if n else 0) for n in grid[d]]) for d in range(7)
            ]
        },
    )


def _daily_totals(f: ReportFilter, group: str | None = None):
    fields = {
        "created": Sum("created"),
        "resolved": Sum("resolved"),
        "resolved_front": Sum("resolved_front"),
        "escalated": Sum("created", filter=Q(escalated=True)),
        "voicemail": Sum("voicemail"),
        "voicemail_next_day": Sum("voicemail_next_day"),
        "fr_met": Sum("first_response_met"),
        "fr_missed": Sum("first_response_missed"),
        "res_met": Sum("resolution_met"),
        "res_missed": Sum("resolution_missed"),
        "responded": Sum("responded"),
        "fr_seconds": Sum("first_response_seconds"),
        "res_seconds": Sum("resolution_seconds"),
    }
    # Aliased: an aggregate may not share its name with the column it sums.
    fields = {f"sum_{name}": expression for name, expression in fields.items()}
    query = DailyStat.objects.filter(f.scope()).order_by()
    if group:
        return [
            {k.removeprefix("sum_"): (v or 0) if k != group else v for k, v in row.items()}
            for row in query.values(group).annotate(**fields)
        ]
    totals = query.aggregate(**fields)
    return {k.removeprefix("sum_"): v or 0 for k, v in totals.items()}


def report_resolution(f: ReportFilter) -> Report:
    t = _daily_totals(f)
    open_front = t["created"] - t["resolved_front"] - t["escalated"]
    table = [
        [
            _("Resolved by the front office (first contact)"),
            t["resolved_front"],
            percent(t["resolved_front"], t["created"]),
        ],
        [_("Escalated to the back office"), t["escalated"], percent(t["escalated"], t["created"])],
        [_("Still with the front office"), open_front, percent(open_front, t["created"])],
    ]
    summary = (
        _(
            "%(front)s %% of %(total)d requests were resolved by the front office; %(back)s %% were escalated to the back office."
        )
        % {"front": table[0][2], "back": table[1][2], "total": t["created"]}
        if t["created"]
        else _("No requests in this period.")
    )
    return Report(
        key="resolution",
        title=_("First-contact resolution and escalation"),
        summary=summary,
        columns=[_("Outcome"), _("Requests"), _("Share (%)")],
        rows=table,
        chart=_chart("doughnut", [r[0] for r in table], [{"label": _("Share (%)"), "data": [r[2] for r in table]}]),
    )


def percentile_from_histogram(counts: dict[int, int], fraction: float) -> int | None:
    """Upper bound (seconds) of the bucket holding the given rank; None for the open last bucket or no data."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, -(-int(total * fraction * 1000) // 1000))  # ceil(total × fraction), no float drift
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return BUCKET_BOUNDS[bucket] if bucket < len(BUCKET_BOUNDS) else -1
    return -1


def _bound_label(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0:
        return _("over %(d)s") % {"d": format_duration(BUCKET_BOUNDS[-1])}
    return "≤ " + format_duration(seconds)


def report_times(f: ReportFilter) -> Report:
    histograms: dict[str, dict[int, int]] = defaultdict(dict)
    for metric, bucket, n in (
        DurationStat.objects.filter(f.scope()).order_by().values_list("metric", "bucket").annotate(n=Sum("count"))
    ):
        histograms[metric][bucket] = n
    t = _daily_totals(f)
    table = []
    chart_median, chart_p90 = [], []
    for metric, label, total_seconds in (
        (DurationStat.Metric.FIRST_RESPONSE, _("Time to first response"), t["fr_seconds"]),
        (DurationStat.Metric.RESOLUTION, _("Time to resolution"), t["res_seconds"]),
    ):
        counts = histograms.get(metric.value, {})
        n = sum(counts.values())
        median, p90 = percentile_from_histogram(counts, 0.5), percentile_from_histogram(counts, 0.9)
        table.append(
            [str(label), n, _bound_label(median), _bound_label(p90), format_duration(total_seconds / n if n else None)]
        )
        chart_median.append(round(median / 3600, 2) if median and median > 0 else None)
        chart_p90.append(round(p90 / 3600, 2) if p90 and p90 > 0 else None)
    summary = (
        _("Half of the requests had a first response within %(median)s, nine in ten within %(p90)s (wall-clock time).")
        % {"median": table[0][2].removeprefix("≤ "), "p90": table[0][3].removeprefix("≤ ")}
        if table[0][1]
        else _("No answered requests in this period.")
    )
    return Report(
        key="times",
        title=_("Handling and resolution times"),
        summary=summary,
        columns=[
            _("Measure (wall-clock time)"),
            _("Requests"),
            _("Median (wall-clock)"),
            _("90th percentile (wall-clock)"),
            _("Average (wall-clock)"),
        ],
        rows=table,
        chart=_chart(
            "bar",
            [r[0] for r in table],
            [
                {"label": _("Median (hours)"), "data": chart_median},
                {"label": _("90th percentile (hours)"), "data": chart_p90},
            ],
        ),
        note=_("Times are wall-clock, from arrival; medians and percentiles are the upper bound of fixed intervals."),
    )


def report_voicemail(f: ReportFilter) -> Report:
    t = _daily_totals(f)
    later = t["voicemail"] - t["voicemail_next_day"]
    table = [
        [
            _("Answered by the next working day"),
            t["voicemail_next_day"],
            percent(t["voicemail_next_day"], t["voicemail"]),
        ],
        [_("Answered later or not yet"), later, percent(later, t["voicemail"])],
    ]
    summary = (
        _("%(share)s %% of %(total)d voicemails were answered by the next working day.")
        % {"share": table[0][2], "total": t["voicemail"]}
        if t["voicemail"]
        else _("No voicemails in this period.")
    )
    return Report(
        key="voicemail",
        title=_("Voicemails answered by the next working day"),
        summary=summary,
        columns=[_("Voicemails"), _("Count"), _("Share (%)")],
        rows=table,
        chart=_chart("doughnut", [r[0] for r in table], [{"label": _("Share (%)"), "data": [r[2] for r in table]}]),
        note=_("By the opening of the office's next working day (office hours, public holidays and closures)."),
    )


def report_sla(f: ReportFilter) -> Report:
    rows = _daily_totals(f, group="queue_id")
    queues = {q.pk: q for q in Queue.objects.select_related("office").filter(pk__in=[r["queue_id"] for r in rows])}
    table = []
    for row in sorted(rows, key=lambda r: str(queues.get(r["queue_id"], ""))):
        queue = queues.get(row["queue_id"])
        fr_total, res_total = row["fr_met"] + row["fr_missed"], row["res_met"] + row["res_missed"]
        table.append(
            [
                f"{queue.office.name} · {queue}" if queue else "—",
                row["created"],
                percent(row["fr_met"], fr_total),
                row["fr_missed"],
                percent(row["res_met"], res_total),
                row["res_missed"],
            ]
        )
    worst = min(table, key=lambda r: r[2], default=None)
    summary = (
        _("Lowest first-response compliance: %(queue)s with %(share)s %% within target.")
        % {"queue": worst[0], "share": worst[2]}
        if worst
        else _("No requests in this period.")
    )
    return Report(
        key="sla",
        title=_("SLA compliance per queue"),
        summary=summary,
        columns=[
            _("Queue"),
            _("Requests"),
            _("First response within target (%)"),
            _("First responses late"),
            _("Resolution within target (%)"),
            _("Resolutions late"),
        ],
        rows=table,
        chart=_chart(
            "bar",
            [r[0] for r in table],
            [
                {"label": _("First response within target (%)"), "data": [r[2] for r in table]},
                {"label": _("Resolution within target (%)"), "data": [r[4] for r in table]},
            ],
        ),
        note=_(
            "Due dates in business hours of each office; late includes requests still unanswered past their due date."
        ),
    )


def report_productivity(f: ReportFilter) -> Report:
    rows = list(
        OperatorStat.objects.filter(f.scope())
        .order_by()
        .values("operator_id")
        .annotate(handled=Sum("handled"), seconds=Sum("handling_seconds"))
    )
    users = {
        u.pk: u
        for u in get_user_model().objects.select_related("operator").filter(pk__in=[r["operator_id"] for r in rows])
    }
    role_names = dict(Role.choices)
    teams: dict[str, list] = defaultdict(list)
    for row in rows:
        user = users.get(row["operator_id"])
        operator = getattr(user, "operator", None) if user else None
        team = str(role_names.get(operator.role, "")) if operator else _("Other staff")
        name = (operator.display_name if operator else (user.get_full_name() or user.get_username())) if user else "—"
        teams[team].append(
            [
                team,
                name,
                row["handled"],
                format_duration(row["seconds"] / row["handled"] if row["handled"] else None),
                row["seconds"],
            ]
        )
    table = []
    for team in sorted(teams):
        members = sorted(teams[team], key=lambda r: -r[2])
        handled = sum(r[2] for r in members)
        seconds = sum(r[4] for r in members)
        table.append([team, _("Team total"), handled, format_duration(seconds / handled if handled else None)])
        table.extend([r[:4] for r in members])
    team_totals = [(r[0], r[2]) for r in table if r[1] == _("Team total")]
    summary = (
        _("%(n)d requests resolved by %(operators)d operators in %(teams)d teams.")
        % {"n": sum(n for _t, n in team_totals), "operators": len(rows), "teams": len(team_totals)}
        if rows
        else _("No requests resolved in this period.")
    )
    return Report(
        key="productivity",
        title=_("Operator productivity per team"),
        summary=summary,
        columns=[_("Team"), _("Operator"), _("Requests resolved"), _("Average time to resolution (wall-clock)")],
        rows=table,
        chart=_chart(
            "bar",
            [t for t, _n in team_totals],
            [{"label": _("Requests resolved"), "data": [n for _t, n in team_totals]}],
        ),
        note=_("Counted on the day of resolution, for the operator the request was assigned to."),
    )


REPORTS = {
    "topics": report_topics,
    "profile": report_profile,
    "continents": report_continents,
    "countries": report_countries,
    "kinds": report_kinds,
    "volume": report_volume,
    "heatmap": report_heatmap,
    "resolution": report_resolution,
    "times": report_times,
    "voicemail": report_voicemail,
    "sla": report_sla,
    "productivity": report_productivity,
}


def list_offices() -> list[Office]:
    return list(Office.objects.order_by("name").only("pk", "name"))


# ----------------------------------------------------------------------------- recurring problems


def list_problems(*, weeks: int = 12) -> list[dict]:
    problems = list(
        RecurringProblem.objects.select_related("partner").annotate(n=Count("links")).order_by("-n", "title")
    )
    since = timezone.now() - timedelta(weeks=weeks)
    trend = problem_trends([p.pk for p in problems], since=since)
    rows = []
    for problem in problems:
        weeks = trend.get(problem.pk, [])
        chart = _chart(
            "line",
            [w.strftime("%d/%m") for w, _n in weeks],
            [{"label": _("Requests"), "data": [n for _w, n in weeks]}],
            spark=True,
        )
        rows.append(
            {"problem": problem, "count": problem.n, "trend": weeks, "chart": chart, "chart_id": f"trend-{problem.pk}"}
        )
    return rows


def problem_trends(problem_ids: list[int], *, since: datetime) -> dict[int, list[tuple[date, int]]]:
    """Weekly counts of links per problem since a date (weeks start on Monday, local time)."""
    rows = (
        ProblemLink.objects.filter(problem_id__in=problem_ids, ticket__created_at__gte=since)
        .annotate(week=TruncWeek("ticket__created_at", tzinfo=LOCAL_TZ))
        .order_by()
        .values_list("problem_id", "week")
        .annotate(n=Count("id"))
    )
    start = since.astimezone(LOCAL_TZ).date()
    start -= timedelta(days=start.weekday())
    weeks = []
    week = start
    while week <= local_today():
        weeks.append(week)
        week += timedelta(days=7)
    found: dict[int, dict[date, int]] = defaultdict(dict)
    for problem_id, week_start, n in rows:
        week_day = week_start.date() if isinstance(week_start, datetime) else week_start
        found[problem_id][week_day] = n
    return {pid: [(w, found[pid].get(w, 0)) for w in weeks] for pid in problem_ids}


def list_ticket_problems(ticket: Ticket) -> dict:
    """The problems linked to the ticket and the open ones it could be linked to, in one query."""
    is_linked = Exists(ProblemLink.objects.filter(problem=OuterRef("pk"), ticket=ticket))
    rows = list(
        RecurringProblem.objects.annotate(is_linked=is_linked)
        .filter(Q(is_linked=True) | Q(status=RecurringProblem.Status.OPEN))
        .select_related("partner")
        .order_by("title", "pk")
    )
    return {"linked": [p for p in rows if p.is_linked], "linkable": [p for p in rows if not p.is_linked]}


def tier_label(tier: str) -> str:
    return str(Tier(tier).label)


def get_partner_report(partner_id: int, *, examples_per_problem: int = 5) -> dict:
    """A partner body's recurring problems with counts, weekly trend and anonymized examples."""
    from tickets.models import Message

    from .anonymize import mask_text
    from .models import PartnerBody

    partner = PartnerBody.objects.get(pk=partner_id)
    problems = list(partner.problems.annotate(n=Count("links")).order_by("-n", "title"))
    trends = problem_trends([p.pk for p in problems], since=timezone.now() - timedelta(weeks=12))
    links = (
        ProblemLink.objects.filter(problem__in=problems)
        .select_related("ticket__citizen", "ticket__topic")
        .order_by("problem_id", "-ticket__created_at")
    )
    chosen: dict[int, list[ProblemLink]] = defaultdict(list)
    for link in links:
        if len(chosen[link.problem_id]) < examples_per_problem:
            chosen[link.problem_id].append(link)
    ticket_ids = [link.ticket_id for picked in chosen.values() for link in picked]
    first_messages: dict[int, str] = {}
    for message in (
        Message.objects.filter(ticket_id__in=ticket_ids, direction=Message.Direction.INBOUND)
        .order_by("ticket_id", "created_at", "id")
        .only("ticket_id", "text")
    ):
        first_messages.setdefault(message.ticket_id, message.text)
    sections = []
    for problem in problems:
        examples = []
        for link in chosen.get(problem.pk, []):
            citizen = link.ticket.citizen
            names = [citizen.first_name, citizen.last_name, *citizen.first_name.split(), *citizen.last_name.split()]
            examples.append(
                {
                    "day": link.ticket.created_at.astimezone(LOCAL_TZ).date(),
                    "channel": link.ticket.get_channel_display(),
                    "topic": str(link.ticket.topic) if link.ticket.topic_id else "",
                    "profile": _("Italian citizen") if citizen.is_italian else _("Foreign national"),
                    "text": mask_text(
                        f"{link.ticket.subject}\n{first_messages.get(link.ticket_id, '')}".strip(), names
                    ),
                }
            )
        sections.append(
            {"problem": problem, "count": problem.n, "trend": trends.get(problem.pk, []), "examples": examples}
        )
    return {"partner": partner, "sections": sections, "generated_at": timezone.now()}
