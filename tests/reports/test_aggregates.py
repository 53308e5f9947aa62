"""The daily aggregates equal a direct count over the raw tickets, however they were maintained."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from reports.aggregates import LOCAL_TZ, local_today, refresh_stats
from reports.models import DailyStat, DurationStat, HourlyStat, OperatorStat, ProfileStat
from reports.tasks import refresh_recent_stats
from tests.factories import CitizenFactory, make_operator, open_test_ticket
from tickets import services
from tickets.models import Citizen, Status, Ticket

from .conftest import local, make_ticket

pytestmark = pytest.mark.django_db

CHANNELS = ["email", "phone", "whatsapp", "voicemail", "web"]
COUNTRIES = ["IT", "MA", "UA", "CN", "PE", ""]


def _varied_tickets(front_queue, back_queue, topics):
    """60 tickets over a month, at every hour including around midnight, with varied outcomes."""
    operator = make_operator(queues=[front_queue, back_queue], username="agg-op")
    for i in range(60):
        country = COUNTRIES[i % len(COUNTRIES)]
        citizen = CitizenFactory(
            nationality=country, kind=Citizen.Kind.CITIZEN if country == "IT" else Citizen.Kind.FOREIGN_NATIONAL
        )
        created = local(2026, 1, 1 + i % 28, (i * 7) % 24, (i * 13) % 60)
        make_ticket(
            front_queue,
            created,
            channel=CHANNELS[i % len(CHANNELS)],
            topic=topics[i % len(topics)] if i % 7 else None,
            citizen=citizen,
            responded=timedelta(minutes=5 * i) if i % 3 else None,
            escalated_to=back_queue if i % 4 == 0 else None,
            resolved=timedelta(hours=i) if i % 2 else None,
            assignee=operator if i % 2 else None,
        )


def _raw_counts():
    tickets = list(Ticket.objects.select_related("citizen"))
    by_day_channel = Counter((t.created_at.astimezone(LOCAL_TZ).date(), t.channel) for t in tickets)
    resolved = Counter(
        t.created_at.astimezone(LOCAL_TZ).date() for t in tickets if t.status in (Status.RESOLVED, Status.CLOSED)
    )
    escalated = sum(1 for t in tickets if t.escalated_at)
    italians = sum(1 for t in tickets if t.citizen.is_italian)
    hours = Counter(
        (t.created_at.astimezone(LOCAL_TZ).weekday(), t.created_at.astimezone(LOCAL_TZ).hour) for t in tickets
    )
    first_response_seconds = sum(
        int((t.first_responded_at - t.created_at).total_seconds()) for t in tickets if t.first_responded_at
    )
    return by_day_channel, resolved, escalated, italians, hours, first_response_seconds, len(tickets)


def _aggregated_counts():
    by_day_channel = Counter()
    resolved = Counter()
    for row in DailyStat.objects.all():
        by_day_channel[(row.day, row.channel)] += row.created
        resolved[row.day] += row.resolved
    escalated = sum(row.created for row in DailyStat.objects.filter(escalated=True))
    italians = sum(row.created for row in ProfileStat.objects.filter(dimension="profile", value="italian"))
    hours = Counter()
    for row in HourlyStat.objects.all():
        hours[(row.weekday, row.hour)] += row.created
    first_response_seconds = sum(row.first_response_seconds for row in DailyStat.objects.all())
    total = sum(row.created for row in DailyStat.objects.all())
    return by_day_channel, +resolved, escalated, italians, +hours, first_response_seconds, total


def test_rebuild_equals_a_direct_count_over_raw_tickets(front_queue, back_queue, topics):
    _varied_tickets(front_queue, back_queue, topics)

    call_command("rebuild_stats")

    assert _aggregated_counts() == _raw_counts()
    tickets_with_response = Ticket.objects.filter(first_responded_at__isnull=False).count()
    assert sum(DurationStat.objects.filter(metric="first_response").values_list("count", flat=True)) == (
        tickets_with_response
    )
    assert (
        sum(OperatorStat.objects.values_list("handled", flat=True))
        == Ticket.objects.filter(status=Status.RESOLVED, assignee__isnull=False).count()
    )
    assert sum(ProfileStat.objects.filter(dimension="kind").values_list("created", flat=True)) == 60


def test_refreshing_one_day_and_office_equals_a_rebuild(front_queue, back_queue, topics):
    _varied_tickets(front_queue, back_queue, topics)
    call_command("rebuild_stats")
    # Something changes on 10 January: a ticket is resolved, another arrives at 23:59 local.
    changed = Ticket.objects.filter(status=Status.NEW).first()
    Ticket.objects.filter(pk=changed.pk).update(status=Status.RESOLVED, resolved_at=changed.created_at)
    make_ticket(front_queue, local(2026, 1, 10, 23, 59), channel="fax")
    day = changed.created_at.astimezone(LOCAL_TZ).date()

    for each in {day, date(2026, 1, 10)}:
        refresh_stats(each, each, office_id=front_queue.office_id)

    assert _aggregated_counts() == _raw_counts()


def test_ticket_services_refresh_their_day_after_commit(front_queue, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded setup: recomputed in-process at once
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_test_ticket(front_queue, channel="whatsapp")
    today = local_today()
    assert DailyStat.objects.get(day=today, channel="whatsapp").created == 1

    supervisor = make_operator(role="supervisor", queues=[front_queue], username="sup-agg")
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_ticket(actor=supervisor, ticket_id=ticket.pk, outcome="answered")

    row = DailyStat.objects.get(day=today, channel="whatsapp")
    assert (row.created, row.resolved, row.resolved_front) == (1, 1, 1)
    assert OperatorStat.objects.get(day=today).handled == 1


def test_beat_task_recomputes_today_and_yesterday(front_queue):
    yesterday = local_today() - timedelta(days=1)
    open_test_ticket(front_queue, received_at=local(yesterday.year, yesterday.month, yesterday.day, 23, 30))
    open_test_ticket(front_queue)
    DailyStat.objects.all().delete()

    refresh_recent_stats.apply()

    assert {row.day: row.created for row in DailyStat.objects.all()} == {yesterday: 1, local_today(): 1}


def test_rebuild_with_no_tickets_empties_the_tables(front_queue):
    DailyStat.objects.create(
        day=date(2026, 1, 1), office=front_queue.office, queue=front_queue, channel="email", created=3
    )
    call_command("rebuild_stats")
    assert not DailyStat.objects.exists()


def test_beat_task_recounts_old_days_whose_tickets_just_went_past_due(front_queue):
    from django.utils import timezone

    created = timezone.now() - timedelta(days=10)
    ticket = open_test_ticket(front_queue, received_at=created)
    soon = timezone.now() + timedelta(minutes=3)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=soon, due_at=soon)
    call_command("rebuild_stats")
    day = created.astimezone(LOCAL_TZ).date()
    assert DailyStat.objects.get(day=day).first_response_missed == 0

    past = timezone.now() - timedelta(minutes=2)  # the due date has passed, nothing else happened
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=past, due_at=past)
    refresh_recent_stats.apply()

    assert DailyStat.objects.get(day=day).first_response_missed == 1
