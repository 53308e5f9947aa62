"""The live board: queue counts, alarms, operators and today's arrivals, as a supervisor sees them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operators.models import Operator
from tests.factories import open_test_ticket
from tickets import services
from tickets.models import Status, Ticket

from .conftest import login_in_english

pytestmark = pytest.mark.django_db


def _cells(html: str, queue_id: int) -> dict[str, str]:
    row = re.search(rf'<tr data-queue="{queue_id}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return {
        name: re.sub(r"<[^>]+>", "", value).strip()
        for name, value in re.findall(r'data-field="(\w+)">(.*?)</td>', row, re.S)
    }


def test_board_counts_per_queue(client, supervisor, front_queue, back_queue, front_operator):
    now = timezone.now()
    waiting_old = open_test_ticket(front_queue, received_at=now - timedelta(minutes=30))
    open_test_ticket(front_queue, received_at=now - timedelta(minutes=10))
    taken = open_test_ticket(front_queue)
    services.take_ticket(actor=front_operator, ticket_id=taken.pk)
    waiting_citizen = open_test_ticket(front_queue)
    Ticket.objects.filter(pk=waiting_citizen.pk).update(status=Status.WAITING_CITIZEN, due_at=now - timedelta(hours=1))
    Ticket.objects.filter(pk=waiting_old.pk).update(due_at=now - timedelta(minutes=1))  # overdue
    Ticket.objects.filter(pk=taken.pk).update(due_at=now + timedelta(minutes=30))  # due within the hour
    resolved = open_test_ticket(front_queue)
    services.resolve_ticket(actor=front_operator, ticket_id=resolved.pk, outcome="answered")

    login_in_english(client, supervisor)
    html = client.get(reverse("dashboard:board")).text

    assert _cells(html, front_queue.pk) == {
        "waiting": "2",
        "oldest": "30 minutes",
        "in_progress": "1",
        "waiting_citizen": "1",
        "overdue": "1",
        "due_soon": "1",
    }
    assert _cells(html, back_queue.pk)["waiting"] == "0"
    operators = re.search(r'<table[^>]*id="board-operators".*?</table>', html, re.S).group(0)
    anna = re.search(r"Anna Rossi</th>(.*?)</tr>", operators, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", anna, re.S)] == [
        "Front-office operator",
        "Away",
        "1",
        "1",
    ]
    assert 'dashboard-alarm"' not in html


def test_alarm_when_the_oldest_waiting_passes_the_threshold(client, supervisor, front_queue):
    front_queue.alarm_minutes = 20
    front_queue.save()
    open_test_ticket(front_queue, received_at=timezone.now() - timedelta(minutes=25))

    login_in_english(client, supervisor)
    html = client.get(reverse("dashboard:board_live"), headers={"HX-Request": "true"}).text

    alert = re.search(r'<div class="alert alert-danger dashboard-alarm" role="alert">(.*?)</div>', html, re.S)
    assert alert is not None
    assert "#it-error" in alert.group(1)
    assert "waiting 25 minutes (threshold 20)" in re.sub(r"\s+", " ", alert.group(1))
    assert 'hx-trigger="every 5s"' in html


def test_inbound_today_against_the_same_weekday_last_week(client, supervisor, front_queue):
    now = timezone.now()
    open_test_ticket(front_queue, channel="phone", received_at=now)
    open_test_ticket(front_queue, channel="email", received_at=now)
    open_test_ticket(front_queue, channel="email", received_at=now - timedelta(days=7))
    open_test_ticket(front_queue, channel="email", received_at=now - timedelta(days=6))  # not the same weekday

    login_in_english(client, supervisor)
    response = client.get(reverse("dashboard:board"))
    inbound = response.context["board"]["inbound"]

    assert inbound["sum_today"] == 2
    assert inbound["sum_last_week"] == 1
    assert {row["channel"]: (sum(row["today"]), sum(row["last_week"])) for row in inbound["channels"]} == {
        "Phone": (1, 0),
        "Email": (1, 1),
    }


@pytest.mark.parametrize("rows", [2, 20])
def test_board_query_count_does_not_grow_with_tickets(
    client, supervisor, front_queue, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        open_test_ticket(front_queue)
    Operator.objects.update(presence="available")
    login_in_english(client, supervisor)
    with django_assert_max_num_queries(17):
        client.get(reverse("dashboard:board_live"))


def test_snapshot_is_shared_while_fresh_and_recounted_when_stale(client, supervisor, front_queue, settings):
    from django.core.cache import cache

    from reports.selectors import BOARD_SNAPSHOT_KEY, BOARD_WATCHED_KEY
    from reports.tasks import refresh_board_snapshot

    settings.SPORTELLO_BOARD_SNAPSHOT_SECONDS = 60
    cache.delete(BOARD_SNAPSHOT_KEY)
    cache.delete(BOARD_WATCHED_KEY)
    refresh_board_snapshot.apply()
    assert cache.get(BOARD_SNAPSHOT_KEY) is None  # nobody watches: nothing computed

    login_in_english(client, supervisor)
    open_test_ticket(front_queue)
    assert _cells(client.get(reverse("dashboard:board_live")).text, front_queue.pk)["waiting"] == "1"
    open_test_ticket(front_queue)
    # Within the freshness window the shared snapshot answers; the beat task recounts it.
    assert _cells(client.get(reverse("dashboard:board_live")).text, front_queue.pk)["waiting"] == "1"
    refresh_board_snapshot.apply()
    assert _cells(client.get(reverse("dashboard:board_live")).text, front_queue.pk)["waiting"] == "2"
    cache.delete(BOARD_SNAPSHOT_KEY)
