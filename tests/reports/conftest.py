"""A hand-built world for the statistics: tickets placed at known local times with known outcomes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reports.aggregates import rebuild_stats
from reports.selectors import REPORTS, ReportFilter
from tests.factories import CitizenFactory, open_test_ticket
from tickets.models import Citizen, Status, Ticket, Tier, Topic

ROME = ZoneInfo("Europe/Rome")


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME, fold=fold)


def make_ticket(
    queue,
    created: datetime,
    *,
    channel: str = "email",
    topic: Topic | None = None,
    citizen: Citizen | None = None,
    responded: timedelta | datetime | None = None,
    resolved: timedelta | datetime | None = None,
    escalated_to=None,
    assignee=None,
    status: str | None = None,
    first_response_due: datetime | None = None,
    resolution_due: datetime | None = None,
) -> Ticket:
    """Open a ticket through the service at `created`, then set what happened to it afterwards."""
    ticket = open_test_ticket(queue, citizen or CitizenFactory(), channel=channel, topic=topic, received_at=created)
    changes: dict = {}
    if responded is not None:
        changes["first_responded_at"] = created + responded if isinstance(responded, timedelta) else responded
        changes["status"] = Status.OPEN
    if escalated_to is not None:
        changes.update(
            escalated_at=created + timedelta(minutes=5), tier=Tier.BACK, queue=escalated_to, status=Status.ESCALATED
        )
    if resolved is not None:
        changes["resolved_at"] = created + resolved if isinstance(resolved, timedelta) else resolved
        changes["status"] = Status.RESOLVED
    if assignee is not None:
        changes["assignee"] = assignee
    if status is not None:
        changes["status"] = status
    if first_response_due is not None:
        changes["first_response_due_at"] = first_response_due
    if resolution_due is not None:
        changes["resolution_due_at"] = resolution_due
    if changes:
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        ticket.refresh_from_db()
    return ticket


@pytest.fixture
def topics(db):
    names = ["Permessi di soggiorno", "Vivere in Italia", "Cittadinanza", "Ricongiungimento", "Matrimonio"]
    return [Topic.objects.create(name=name, slug=f"t-{i}", position=i) for i, name in enumerate(names)]


def run_report(key: str, date_from: date, date_to: date, **kwargs):
    """Aggregates rebuilt from the raw tickets, then the report as the page shows it."""
    rebuild_stats()
    return REPORTS[key](ReportFilter(date_from=date_from, date_to=date_to, **kwargs))


def column(report, index: int) -> dict:
    return {row[0]: row[index] for row in report.rows}


@pytest.fixture(autouse=True)
def _english():
    """Figures are asserted with their English labels, whatever the catalogues translate."""
    from django.utils import translation

    with translation.override("en"):
        yield


def login_in_english(client, user) -> None:
    """Log in with the desk in English, so that pages can be read against English labels."""
    from operators.models import Operator
    from tests.conftest import login_verified

    Operator.objects.filter(user=user).update(ui_language="en")
    login_verified(client, user)  # supervisors pass the two-factor gate when it is enforced


@pytest.fixture(autouse=True)
def _fresh_board(settings):
    """Every board request recounts: a snapshot from an earlier test must not answer."""
    settings.SPORTELLO_BOARD_SNAPSHOT_SECONDS = 0
