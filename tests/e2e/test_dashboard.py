"""The supervisor board in Chromium: counts change while tickets arrive, without reloading the page.

Tickets are opened through tickets.services from the test thread while the page polls
(htmx, every 5 s). The page must not reload (a marker set on `window` survives), the alarm
must appear with role="alert", charts must draw under the CSP, and the console stays clean.
With SCREENSHOTS=1 the pages are also saved to docs/screenshots/dashboard-*.png (1366×768).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from operators.models import Operator
from reports import services as report_services
from reports.aggregates import rebuild_stats
from tests.factories import CitizenFactory, open_test_ticket
from tickets.models import Citizen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
CHART_JS = Path(settings.BASE_DIR) / "static" / "vendor" / "chart.js" / "chart.umd.min.js"
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists() or not CHART_JS.exists() or not AXE.exists():
        pytest.skip("Chromium, Chart.js or axe-core missing: run `make system-packages assets`")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def supervisor_page(browser, live_server, supervisor, settings):
    settings.SPORTELLO_BOARD_SNAPSHOT_SECONDS = 0  # no beat here: each poll recounts
    Operator.objects.filter(user=supervisor).update(ui_language="en")
    from tests.conftest import login_verified

    client = Client()
    login_verified(client, supervisor)  # an OTP-verified session: the two-factor gate lets it through
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems: list[str] = []
    # Console errors other than failed loads (reported with their URL below), e.g. CSP refusals.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page, live_server, name: str) -> None:
    # axe-core from the same origin, as the CSP (script-src 'self') allows.
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {violations}"


def _cell(page, queue_id: int, field: str):
    return page.locator(f'tr[data-queue="{queue_id}"] [data-field="{field}"]')


def test_board_counts_change_while_tickets_arrive(supervisor_page, live_server, front_queue, back_queue):
    from playwright.sync_api import expect

    page = supervisor_page
    page.goto(f"{live_server.url}/dashboard/")
    expect(_cell(page, front_queue.pk, "waiting")).to_have_text("0")
    page.evaluate("window.__boardMarker = 'still here'")
    assert page.locator("#board-inbound").is_visible()

    for _ in range(3):
        open_test_ticket(front_queue, channel="phone")

    expect(_cell(page, front_queue.pk, "waiting")).to_have_text("3", timeout=15_000)
    assert page.evaluate("window.__boardMarker") == "still here"  # updated in place, no reload
    expect(page.locator("#board-inbound-summary")).to_contain_text("3 requests so far today")

    front_queue.alarm_minutes = 5
    front_queue.save()
    open_test_ticket(front_queue, channel="email", received_at=timezone.now() - timedelta(minutes=12))

    alarm = page.locator('.dashboard-alarm[role="alert"]')
    expect(alarm).to_contain_text("the oldest request has been waiting 12 minutes (threshold 5)", timeout=15_000)
    expect(_cell(page, front_queue.pk, "waiting")).to_have_text("4")
    assert page.evaluate("window.__boardMarker") == "still here"
    assert page.evaluate("!!Chart.getChart(document.querySelector('canvas[data-chart-json]'))")
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-board.png"))
    assert_accessible(page, live_server, "board with an alarm")
    assert page.problems == []


def _seed_history(front_queue, back_queue, supervisor):
    from tests.reports.conftest import make_ticket
    from tickets.models import Topic

    topics = [
        Topic.objects.create(name=name, slug=f"e2e-{i}", position=i)
        for i, name in enumerate(
            ["Residence permits", "Living, studying and working", "Citizenship", "Family reunification", "Marriage"]
        )
    ]
    weights = [48, 25, 16, 9, 2]
    countries = ["IT", "MA", "UA", "CN", "PE", "AL", "SN", "BR", "IN", "RO"]
    channels = ["phone", "email", "whatsapp", "voicemail", "web", "phone", "email"]
    now = timezone.now()
    n = 0
    for topic, weight in zip(topics, weights, strict=True):
        for _ in range(weight):
            n += 1
            country = countries[n % len(countries)]
            citizen = CitizenFactory(
                nationality=country,
                kind=Citizen.Kind.CITIZEN
                if country == "IT"
                else [Citizen.Kind.FOREIGN_NATIONAL, Citizen.Kind.FAMILY_MEMBER, Citizen.Kind.EMPLOYER][n % 3],
            )
            created = now - timedelta(days=(n * 7) % 60, hours=(n * 5) % 9)
            make_ticket(
                front_queue,
                created,
                channel=channels[n % len(channels)],
                topic=topic,
                citizen=citizen,
                responded=timedelta(minutes=10 + (n * 37) % 600),
                escalated_to=back_queue if n % 5 == 0 else None,
                resolved=timedelta(hours=1 + (n * 13) % 70) if n % 4 else None,
                assignee=supervisor if n % 3 else None,
            )
    problem = report_services.create_problem(
        actor=supervisor,
        title="Appointment portal rejects SPID logins",
        description="Citizens cannot book fingerprinting appointments.",
        partner_name="Ministero dell'Interno",
        partner_kind="ministry",
    )
    for weeks in (0, 0, 1, 2, 2, 2, 4):
        ticket = open_test_ticket(
            front_queue,
            CitizenFactory(first_name="Amina", last_name="Diallo", email="amina@example.org"),
            received_at=now - timedelta(weeks=weeks),
            text="Sono Amina Diallo (amina@example.org, +39 333 111 2222): lo SPID dà errore sul portale prenotazioni.",
        )
        report_services.link_ticket_to_problem(actor=supervisor, ticket_id=ticket.pk, problem_id=problem.pk)
    rebuild_stats()
    return problem


def test_reports_draw_charts_with_tables(supervisor_page, live_server, front_queue, back_queue, supervisor):
    from playwright.sync_api import expect

    problem = _seed_history(front_queue, back_queue, supervisor)
    page = supervisor_page
    shots = os.environ.get("SCREENSHOTS")
    for key in ("topics", "volume", "heatmap", "times", "continents"):
        page.goto(f"{live_server.url}/dashboard/reports/{key}/")
        expect(page.locator(f"#{key}-table")).to_be_visible()
        assert page.evaluate(f"!!Chart.getChart(document.querySelector('canvas[data-chart=\"{key}-data\"]'))"), key
        if shots:
            page.screenshot(path=str(SCREENSHOTS / f"dashboard-report-{key}.png"))
        assert_accessible(page, live_server, f"report {key}")
    expect(page.locator(".dashboard-summary")).to_contain_text("is the most frequent origin")

    page.goto(f"{live_server.url}/dashboard/problems/")
    expect(page.locator(f'tr[data-problem="{problem.pk}"] [data-field="count"]')).to_have_text("7")
    if shots:
        page.screenshot(path=str(SCREENSHOTS / "dashboard-problems.png"))
    assert_accessible(page, live_server, "recurring problems")
    page.goto(f"{live_server.url}/dashboard/partners/{problem.partner_id}/report/")
    assert "Amina" not in page.content() and "[email]" in page.content()
    if shots:
        page.screenshot(path=str(SCREENSHOTS / "dashboard-partner-report.png"))
    assert_accessible(page, live_server, "partner report")
    page.goto(f"{live_server.url}/dashboard/campaigns/")
    expect(page.locator("#campaign-form")).to_be_visible()
    if shots:
        page.screenshot(path=str(SCREENSHOTS / "dashboard-campaigns.png"))
    assert_accessible(page, live_server, "campaigns")
    assert page.problems == []
