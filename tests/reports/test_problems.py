"""Recurring problems: operators link requests, supervisors follow counts and trends, partners get anonymized reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.errors import ProblemClosed
from reports.forms import ProblemForm
from reports.models import PartnerBody, ProblemLink, RecurringProblem
from reports.selectors import list_problems
from tests.factories import CitizenFactory, open_test_ticket
from tickets.errors import TicketNotFound
from tickets.models import TicketEvent

from .conftest import login_in_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(supervisor):
    return services.create_problem(
        actor=supervisor,
        title="SPID login fails on the ministry portal",
        description="Citizens cannot log in to book appointments.",
        partner_name="Ministero dell'Interno",
        partner_kind=PartnerBody.Kind.MINISTRY,
    )


def test_operator_links_and_unlinks_a_ticket_with_a_timeline_event(problem, ticket, front_operator):
    services.link_ticket_to_problem(actor=front_operator, ticket_id=ticket.pk, problem_id=problem.pk)
    services.link_ticket_to_problem(actor=front_operator, ticket_id=ticket.pk, problem_id=problem.pk)  # no-op

    assert list(problem.tickets.all()) == [ticket]
    events = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.UPDATED)
    assert [e.data for e in events] == [
        {"change": "problem_linked", "problem_id": problem.pk, "problem": "SPID login fails on the ministry portal"}
    ]
    assert events[0].actor == front_operator

    services.unlink_ticket_from_problem(actor=front_operator, ticket_id=ticket.pk, problem_id=problem.pk)
    assert not ProblemLink.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind="updated").last().data["change"] == "problem_unlinked"


def test_an_operator_cannot_link_a_request_outside_their_queues(problem, ticket, back_operator):
    with pytest.raises(TicketNotFound):
        services.link_ticket_to_problem(actor=back_operator, ticket_id=ticket.pk, problem_id=problem.pk)
    assert not ProblemLink.objects.exists()


def test_a_closed_problem_takes_no_new_links(problem, ticket, front_operator, supervisor):
    services.set_problem_status(actor=supervisor, problem_id=problem.pk, status="closed")
    with pytest.raises(ProblemClosed):
        services.link_ticket_to_problem(actor=front_operator, ticket_id=ticket.pk, problem_id=problem.pk)


def test_ticket_partial_links_creates_and_unlinks_over_htmx(client, problem, ticket, front_operator):
    login_in_english(client, front_operator)
    htmx = {"HX-Request": "true"}

    html = render_to_string("reports/_ticket_problems.html", {"ticket": ticket})
    assert "Not linked to a recurring problem." in html
    assert f'<option value="{problem.pk}">SPID login fails on the ministry portal</option>' in html

    response = client.post(
        reverse("dashboard:ticket_problem_link", args=[ticket.pk]), {"problem": problem.pk}, headers=htmx
    )
    assert response.status_code == 200
    assert "SPID login fails on the ministry portal <span" in response.text
    assert "Remove the link to SPID login fails" in response.text

    prefix = ProblemForm.PREFIX
    response = client.post(
        reverse("dashboard:ticket_problem_create", args=[ticket.pk]),
        {
            f"{prefix}-title": "Wrong fee on the permit kit",
            f"{prefix}-partner_name": "Poste Italiane",
            f"{prefix}-partner_kind": "agency",
        },
        headers=htmx,
    )
    assert response.status_code == 200
    assert "Wrong fee on the permit kit" in response.text
    assert ticket.recurring_problems.count() == 2
    assert PartnerBody.objects.get(name="Poste Italiane").kind == "agency"

    response = client.post(reverse("dashboard:ticket_problem_unlink", args=[ticket.pk, problem.pk]), headers=htmx)
    assert ticket.recurring_problems.count() == 1

    invalid = client.post(
        reverse("dashboard:ticket_problem_create", args=[ticket.pk]), {f"{prefix}-title": ""}, headers=htmx
    )
    assert invalid.status_code == 422
    assert "This field is required." in invalid.text


def test_ticket_partial_answers_404_for_a_ticket_the_operator_cannot_see(client, problem, ticket, back_operator):
    client.force_login(back_operator)
    assert client.get(reverse("dashboard:ticket_problems", args=[ticket.pk])).status_code == 404
    response = client.post(reverse("dashboard:ticket_problem_link", args=[ticket.pk]), {"problem": problem.pk})
    assert response.status_code == 404
    assert not ProblemLink.objects.exists()


def test_supervisor_sees_counts_and_weekly_trend(problem, front_queue, supervisor):
    now = timezone.now()
    for weeks_ago, n in ((0, 3), (2, 1)):
        for _ in range(n):
            t = open_test_ticket(front_queue, received_at=now - timedelta(weeks=weeks_ago))
            services.link_ticket_to_problem(actor=supervisor, ticket_id=t.pk, problem_id=problem.pk)

    (row,) = list_problems()

    assert row["count"] == 4
    counts = [n for _week, n in row["trend"]]
    assert counts[-1] == 3 and counts[-3] == 1 and sum(counts) == 4
    assert row["chart"]["datasets"][0]["data"] == counts


def test_partner_report_anonymizes_examples(client, problem, front_queue, supervisor):
    citizen = CitizenFactory(
        first_name="Youssef", last_name="El Amrani", email="youssef@example.org", nationality="MA"
    )
    t = open_test_ticket(
        front_queue,
        citizen,
        subject="Permesso IST-2026-0004321",
        text=(
            "Buongiorno, sono Youssef El Amrani, il mio codice fiscale è LMRYSF85C12Z330X, "
            "scrivetemi a youssef@example.org o chiamate il +39 333 123 4567. Passaporto AB1234567."
        ),
    )
    services.link_ticket_to_problem(actor=supervisor, ticket_id=t.pk, problem_id=problem.pk)
    login_in_english(client, supervisor)

    html = client.get(reverse("dashboard:partner_report", args=[problem.partner_id])).text
    for secret in (
        "Youssef",
        "Amrani",
        "LMRYSF85C12Z330X",
        "youssef@example.org",
        "333 123 4567",
        "AB1234567",
        "0004321",
    ):
        assert secret not in html, secret
    for placeholder in ("[nome]", "[codice fiscale]", "[email]", "[telefono]", "[documento]", "[riferimento]"):
        assert placeholder in html
    assert "SPID login fails on the ministry portal" in html
    assert "@media print" in Path("static/css/partner-report.css").read_text()

    response = client.get(reverse("dashboard:partner_report_csv", args=[problem.partner_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Problem" and rows[1][2] == "1"
    assert "Youssef" not in response.content.decode() and "[email]" in rows[1][6]


def test_supervisor_creates_and_closes_a_problem_from_the_page(client, supervisor):
    login_in_english(client, supervisor)
    client.post(
        reverse("dashboard:problems"),
        {"title": "Municipal registry delays", "partner_name": "Comune di Roma", "partner_kind": "municipality"},
    )
    problem = RecurringProblem.objects.get()
    assert problem.partner.kind == "municipality" and problem.created_by == supervisor
    client.post(reverse("dashboard:problem_status", args=[problem.pk]), {"status": "closed"})
    problem.refresh_from_db()
    assert problem.status == "closed"
    assert "Municipal registry delays" in client.get(reverse("dashboard:problems")).text


def test_desk_ticket_view_shows_the_partial(client, problem, ticket, front_operator):
    services.link_ticket_to_problem(actor=front_operator, ticket_id=ticket.pk, problem_id=problem.pk)
    login_in_english(client, front_operator)

    html = client.get(reverse("desk:ticket", args=[ticket.pk])).text

    assert f'id="ticket-problems-{ticket.pk}"' in html
    assert "SPID login fails on the ministry portal" in html
    assert reverse("dashboard:ticket_problem_unlink", args=[ticket.pk, problem.pk]) in html
