"""The operator desk in Chromium, the whole story through the real entry points.

A WhatsApp message (a signed corpus webhook) and an e-mail (a corpus .eml through ingest_email)
arrive; a front-office operator takes the e-mail and replies (the reply reaches a real SMTP
server), escalates the WhatsApp request; a back-office expert, whose queue page is already open,
sees it appear without reloading, takes it, replies and resolves it; the citizen's status page
says it is resolved.  Plus: two operators race to take one request, and the caller pop-up shows
up when the PBX announces a call (a corpus CTI newCall form).

With SCREENSHOTS=1 the pages are saved to docs/screenshots/desk-*.png (1366×768).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from operators.models import Role
from tests.factories import CitizenFactory, make_operator, open_test_ticket
from tickets.models import Message, Ticket

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
CORPUS = Path("/work/shared/corpus")
if not CORPUS.is_dir():
    CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "password-for-tests"  # tests.factories.UserFactory


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret injects a <style> the CSP refuses (and reports).
        page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"), caret="initial")


# On SQLite the live server's threads and this test share one in-memory connection: requests
# (the desk polls every few seconds) and the test's own queries take turns under this lock.
SERIAL = threading.RLock()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page, live_server, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now (loaded same-origin: the CSP allows it)."""
    if not (Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js").exists():
        return
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {violations}"


def wait_until(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with SERIAL:
            value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


@pytest.fixture(autouse=True)
def _serialize_sqlite(live_server):
    if connection.vendor != "sqlite":
        yield
        return
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def serialized(environ, start_response):
        with SERIAL:
            return list(app(environ, start_response))

    httpd.set_app(serialized)
    yield
    httpd.set_app(app)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium missing: run `make system-packages`")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def eager():
    """Celery tasks (ingest, sending) run in the live server's thread, whatever broker is configured."""
    from contactcenter.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def desk(browser, live_server):
    """Open a signed-in desk page for a user, through the real login form, in its own browser context."""
    contexts = []

    def open_desk(user, path: str = "/desk/"):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                page.problems.append(message.text)
                if message.type == "error" and "Failed to load resource" not in message.text
                else None
            ),
        )
        page.goto(f"{live_server.url}/accounts/login/?next={path}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"**{path}")
        return page

    yield open_desk
    for context in contexts:
        context.close()


def english(*users) -> None:
    for user in users:
        user.operator.ui_language = "en"
        user.operator.save(update_fields=["ui_language"])


def test_whole_story_from_arrival_to_resolution(
    desk, live_server, eager, smtp_sink, graph, front_operator, back_operator, front_queue, back_queue
):
    english(front_operator, back_operator)
    # A WhatsApp message arrives at the webhook, signed with the app secret as Meta does.
    body = (CORPUS / "whatsapp" / "pywa-message-text.json").read_bytes()
    signature = "sha256=" + hmac.new(settings.WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = requests.post(
        f"{live_server.url}/webhooks/whatsapp/",
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        timeout=30,
    )
    assert answer.status_code == 200
    # An e-mail arrives in the mailbox.
    with SERIAL:
        call_command("ingest_email", str(CORPUS / "email" / "flanker-bilingual-simple.eml"))
    whatsapp = wait_until(lambda: Ticket.objects.filter(channel="whatsapp").first())
    email = wait_until(lambda: Ticket.objects.filter(channel="email").first())
    assert (whatsapp.queue, email.queue) == (front_queue, front_queue)

    # The back office has its queue open before anything is escalated.
    expert = desk(back_operator, f"/desk/queues/{back_queue.pk}/")
    expert.evaluate("window.deskNotReloaded = true")
    assert expert.locator(f'[data-ticket-id="{whatsapp.pk}"]').count() == 0

    # Front office: the queue shows both; take the e-mail and reply.
    front = desk(front_operator, f"/desk/queues/{front_queue.pk}/")
    front.wait_for_selector(f'[data-ticket-id="{email.pk}"]')
    front.wait_for_selector(f'[data-ticket-id="{whatsapp.pk}"]')
    screenshot(front, "queue-list")
    assert_accessible(front, live_server, "queue list")
    # Keyboard only: j moves down the rows (due date order: the old WhatsApp one first), Enter opens.
    front.keyboard.press("j")
    front.keyboard.press("j")
    assert front.get_attribute("[data-row].is-current", "data-ticket-id") == str(email.pk)
    front.keyboard.press("Enter")
    front.wait_for_url(f"**/desk/tickets/{email.pk}/")
    front.wait_for_selector("#ticket-main")
    front.click("button[data-action='desk:take']")
    front.wait_for_selector("[data-assignee]:has-text('Anna Rossi')")
    front.keyboard.press("r")
    assert front.evaluate("document.activeElement.id") == "reply-text"
    front.keyboard.type("Gentile cittadino, servono il passaporto e due fotografie.")
    front.click("form.desk-reply button[type=submit]")
    front.wait_for_selector("[data-done]:has-text('Reply sent')")
    sent = wait_until(
        lambda: [m for m in smtp_sink.messages if "servono il passaporto" in m.get_body(("plain",)).get_content()]
    )
    assert sent[0]["To"].endswith("hello@example.com")
    assert email.reference in sent[0]["Subject"]

    # Front office escalates the WhatsApp request with a reason (the dialog opens with "e").
    front.goto(f"{live_server.url}/desk/tickets/{whatsapp.pk}/")
    front.click("button[data-action='desk:take']")
    front.wait_for_selector("[data-assignee]:has-text('Anna Rossi')")
    front.keyboard.press("e")
    front.wait_for_selector("#escalate-dialog[open]")
    front.fill("#escalate-reason", "Domanda sulla cittadinanza: serve il parere di un esperto.")
    front.click("#escalate-dialog button[type=submit]:not([data-close-dialog])")
    front.wait_for_url(f"{live_server.url}/desk/")

    # Back office: the request appears in the open queue page by itself (polling), no reload.
    expert.wait_for_selector(f'[data-ticket-id="{whatsapp.pk}"]', timeout=20000)
    assert expert.evaluate("window.deskNotReloaded") is True
    expert.click(f'[data-ticket-id="{whatsapp.pk}"] a.desk-ref')
    expert.wait_for_selector("[data-event='escalated']")
    assert "serve il parere di un esperto" in expert.inner_text("[data-event='escalated']")
    expert.click("button[data-action='desk:take']")
    expert.wait_for_selector("[data-assignee]:has-text('Marta Ferri')")
    expert.fill("#reply-text", "La pratica di cittadinanza richiede il modulo B.")
    expert.click("form.desk-reply button[type=submit]")
    expert.wait_for_selector("[data-done]:has-text('Reply sent')")
    screenshot(expert, "ticket-view")
    assert_accessible(expert, live_server, "ticket view")
    expert.keyboard.press("s")
    expert.wait_for_selector("#resolve-dialog[open]")
    expert.select_option("#resolve-outcome", "information_sent")
    expert.click("#resolve-dialog button[type=submit]:not([data-close-dialog])")
    expert.wait_for_selector("[data-status='resolved']")
    # The citizen card beside it follows (out-of-band swap): the request is resolved there too.
    expert.wait_for_selector("#citizen-card .is-this .desk-status-resolved")
    reply = wait_until(lambda: Message.objects.filter(ticket=whatsapp, direction="out").first())
    assert reply.channel == "whatsapp"
    # Sent through the (local stand-in of the) Graph API: after the acknowledgement, the reply.  The
    # citizen wrote more than 24 hours ago, so WhatsApp's rules make it a template with the reference.
    sent_whatsapp = [r.json() for r in graph.state.requests if r.path.endswith("/messages")]
    assert len(sent_whatsapp) == 2 and sent_whatsapp[-1]["to"] == "972987654321"
    assert reply.delivery_status == "sent"

    # The citizen's status page (link with the secret token) says it is resolved.
    with translation.override("en"):
        status_url = reverse("portal:status_token", args=[whatsapp.access_token])
    citizen_page = front.context.new_page()
    citizen_page.goto(live_server.url + status_url)
    assert citizen_page.inner_text("#ticket-status") == "Resolved"
    kinds = wait_until(lambda: list(whatsapp.events.values_list("kind", flat=True)))
    assert kinds[:1] == ["created"] and {"taken", "escalated", "replied", "resolved"} <= set(kinds)
    assert front.problems == [] and expert.problems == []


def test_two_operators_race_to_take_one_request(desk, front_operator, front_operator_2, front_queue):
    english(front_operator, front_operator_2)
    ticket = open_test_ticket(front_queue, CitizenFactory(first_name="Li", last_name="Wei"))
    anna = desk(front_operator, f"/desk/tickets/{ticket.pk}/")
    bruno = desk(front_operator_2, f"/desk/tickets/{ticket.pk}/")
    # Each sees the other is there (presence heartbeat every 3 s).
    anna.wait_for_selector("[data-viewers]:has-text('Bruno Verdi')", timeout=10000)
    bruno.wait_for_selector("[data-viewers]:has-text('Anna Rossi')", timeout=10000)
    anna.click("button[data-action='desk:take']")
    anna.wait_for_selector("[data-assignee]:has-text('Anna Rossi')")
    bruno.click("button[data-action='desk:take']")
    error = bruno.wait_for_selector("#ticket-errors [data-domain-error]")
    assert f"{ticket.reference} is already handled by Anna Rossi" in error.inner_text()
    # A stale view is refused too, with a clear message, and nothing is overwritten.
    bruno.click("button[data-action='desk:wait']")
    bruno.wait_for_selector("#ticket-errors [data-error-code='stale']")
    with SERIAL:
        ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (front_operator, "open")
    bruno.wait_for_selector("[data-changed]", timeout=10000)


def test_caller_popup_appears_on_new_call(desk, live_server, eager, front_queue, settings):
    settings.CTI_TOKEN = "desk-e2e-token"
    emma = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Emma Taylor", username="emma")
    english(emma)
    caller = CitizenFactory(first_name="Hans", last_name="Becker", phone="+493023125741")
    open_ticket = open_test_ticket(front_queue, caller, subject="Visto per lavoro", channel="phone")
    page = desk(emma, "/desk/")
    page.evaluate("window.deskNotReloaded = true")
    form = (CORPUS / "cti" / "cti-inbound-answered-01-newCall.form").read_bytes()
    answer = requests.post(
        f"{live_server.url}/api/v1/cti/desk-e2e-token",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert answer.status_code == 200
    card = page.wait_for_selector("#caller-popup [data-call]", timeout=10000)
    assert "Hans Becker" in card.inner_text()
    assert open_ticket.reference in card.inner_text()
    assert page.evaluate("window.deskNotReloaded") is True
    screenshot(page, "caller-popup")
    assert_accessible(page, live_server, "caller pop-up")
    page.click("#caller-popup [data-log-call]")
    page.wait_for_selector(f"[data-add-to='{open_ticket.reference}']")
    page.click(f"[data-add-to='{open_ticket.reference}']")
    page.wait_for_url(f"**/desk/tickets/{open_ticket.pk}/")
    assert wait_until(lambda: Message.objects.filter(ticket=open_ticket, channel="phone", direction="in").exists())
