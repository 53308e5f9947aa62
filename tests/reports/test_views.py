"""Reports through HTTP: who may see them, what the page says, and the CSV/XLSX downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from operators.models import Role
from reports.aggregates import rebuild_stats
from reports.models import Campaign, PartnerBody, RecurringProblem
from tests.factories import make_operator

from .conftest import local, login_in_english, make_ticket

pytestmark = pytest.mark.django_db

REPORT_KEYS = [
    "topics",
    "profile",
    "continents",
    "countries",
    "kinds",
    "volume",
    "heatmap",
    "resolution",
    "times",
    "voicemail",
    "sla",
    "productivity",
]


def _supervisor_urls(partner_id: int, problem_id: int, campaign_id: int) -> list[tuple[str, str]]:
    urls = [
        ("get", reverse("dashboard:board")),
        ("get", reverse("dashboard:board_live")),
        ("get", reverse("dashboard:reports")),
    ]
    for key in REPORT_KEYS:
        urls += [
            ("get", reverse("dashboard:report", args=[key])),
            ("get", reverse("dashboard:report_csv", args=[key])),
            ("get", reverse("dashboard:report_xlsx", args=[key])),
        ]
    urls += [
        ("get", reverse("dashboard:problems")),
        ("post", reverse("dashboard:problems")),
        ("post", reverse("dashboard:problem_status", args=[problem_id])),
        ("get", reverse("dashboard:partner_report", args=[partner_id])),
        ("get", reverse("dashboard:partner_report_csv", args=[partner_id])),
        ("get", reverse("dashboard:campaigns")),
        ("post", reverse("dashboard:campaigns")),
        ("get", reverse("dashboard:campaign", args=[campaign_id])),
        ("post", reverse("dashboard:campaign_close", args=[campaign_id])),
    ]
    return urls


@pytest.fixture
def fixtures_for_urls(office, supervisor):
    partner = PartnerBody.objects.create(name="Ministero dell'Interno", kind="ministry")
    problem = RecurringProblem.objects.create(title="Portale down", partner=partner, created_by=supervisor)
    campaign = Campaign.objects.create(name="Bonus", office=office, starts_on="2026-01-01", ends_on="2026-01-31")
    return partner.pk, problem.pk, campaign.pk


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.BACK_OFFICE])
def test_non_supervisors_are_refused_everywhere(client, role, front_queue, fixtures_for_urls):
    client.force_login(make_operator(role=role, queues=[front_queue], username=f"u-{role}"))
    for method, url in _supervisor_urls(*fixtures_for_urls):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)
    assert RecurringProblem.objects.count() == 1
    assert not Campaign.objects.get().is_closed


def test_anonymous_users_are_sent_to_login(client, fixtures_for_urls):
    for method, url in _supervisor_urls(*fixtures_for_urls):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_supervisors_and_administrators_see_every_report(client, supervisor, front_queue, fixtures_for_urls):
    admin = make_operator(role=Role.ADMINISTRATOR, queues=[front_queue], username="admin-op")
    for user in (supervisor, admin):
        login_in_english(client, user)
        for method, url in _supervisor_urls(*fixtures_for_urls):
            if method == "get":
                assert getattr(client, method)(url).status_code in (200, 302), url


def test_report_page_shows_summary_chart_data_and_table(client, supervisor, front_queue, topics):
    for topic, n in zip(topics[:2], [3, 1], strict=True):
        for _ in range(n):
            make_ticket(front_queue, local(2026, 1, 7), topic=topic)
    rebuild_stats()
    login_in_english(client, supervisor)

    response = client.get(
        reverse("dashboard:report", args=["topics"]), {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )

    html = response.text
    assert "Permessi di soggiorno is the most frequent topic with 75.0 % of 4 requests." in html
    assert '<canvas data-chart="topics-data"' in html
    assert '<script id="topics-data" type="application/json">' in html
    assert "<td>75.0</td>" in html and "<td>25.0</td>" in html
    assert "<script>" not in html  # CSP: no inline scripts


def test_invalid_period_is_explained(client, supervisor):
    login_in_english(client, supervisor)
    response = client.get(
        reverse("dashboard:report", args=["topics"]), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The start date must come before the end date." in response.text
    export = client.get(
        reverse("dashboard:report_csv", args=["topics"]), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert export.status_code == 400


def test_unknown_report_is_404(client, supervisor):
    login_in_english(client, supervisor)
    assert client.get("/dashboard/reports/nonsense/").status_code == 404


def test_csv_and_xlsx_exports_carry_the_table(client, supervisor, front_queue):
    for day, n in ((5, 1), (6, 2)):
        for _ in range(n):
            make_ticket(front_queue, local(2026, 1, day), channel="phone")
    rebuild_stats()
    login_in_english(client, supervisor)
    params = {"date_from": "2026-01-05", "date_to": "2026-01-06"}

    response = client.get(reverse("dashboard:report_csv", args=["volume"]), params)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"] == 'attachment; filename="volume-2026-01-05-2026-01-06.csv"'
    assert rows == [["Day", "Phone", "Total"], ["2026-01-05", "1", "1"], ["2026-01-06", "2", "2"]]

    response = client.get(reverse("dashboard:report_xlsx", args=["volume"]), params)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert values == [["Day", "Phone", "Total"], ["2026-01-05", 1, 1], ["2026-01-06", 2, 2]]
    assert "peak" in sheet["A2"].value


def test_productivity_is_for_supervisors_only(client, front_operator, supervisor, front_queue):
    make_ticket(front_queue, local(2026, 1, 5), resolved=timedelta(hours=1), assignee=front_operator)
    rebuild_stats()
    url = reverse("dashboard:report", args=["productivity"])
    params = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    login_in_english(client, front_operator)
    assert client.get(url, params).status_code == 403
    login_in_english(client, supervisor)
    assert "Anna Rossi" in client.get(url, params).text


def test_volume_page_marks_the_peak_day(client, supervisor, front_queue):
    for day, n in ((5, 1), (6, 2), (7, 1)):
        for _ in range(n):
            make_ticket(front_queue, local(2026, 1, day), channel="email")
    rebuild_stats()
    login_in_english(client, supervisor)

    html = client.get(
        reverse("dashboard:report", args=["volume"]), {"date_from": "2026-01-05", "date_to": "2026-01-07"}
    ).text

    assert (
        '<tr class="dashboard-peak"><th scope="row">2026-01-06 <strong class="badge bg-primary">peak</strong>' in html
    )
    assert html.count("dashboard-peak") == 1
    assert '"peak": 1' in html  # the chart outlines the same day


@pytest.mark.parametrize("rows", [2, 20])
def test_problem_list_query_count_does_not_grow(client, supervisor, front_queue, rows, django_assert_max_num_queries):
    from reports import services

    for i in range(rows):
        problem = services.create_problem(
            actor=supervisor, title=f"Problem {i}", description="", partner_name=f"Body {i % 3}", partner_kind="agency"
        )
        ticket = make_ticket(front_queue, local(2026, 1, 5))
        services.link_ticket_to_problem(actor=supervisor, ticket_id=ticket.pk, problem_id=problem.pk)
    login_in_english(client, supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:problems"))
    assert response.text.count("data-problem=") == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_productivity_and_sla_query_counts_do_not_grow(
    client, supervisor, front_queue, rows, django_assert_max_num_queries
):
    from tests.factories import QueueFactory

    for i in range(rows):
        operator = make_operator(queues=[front_queue], username=f"op-{i}")
        queue = QueueFactory(office=front_queue.office, name=f"Queue {i}", is_default=False)
        make_ticket(queue, local(2026, 1, 5), resolved=timedelta(hours=1), assignee=operator)
    rebuild_stats()
    login_in_english(client, supervisor)
    params = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    for key in ("productivity", "sla"):
        with django_assert_max_num_queries(12):
            client.get(reverse("dashboard:report", args=[key]), params)
