"""The status lookup's browser check in Chromium: the page passes it by itself, and says so accessibly.

A reference that was guessed on (faq.lookup) makes every lookup on it pass a proof of work first.
Here the real one (static/js/status-check.js, crypto.subtle) runs in the page under the site's
Content-Security-Policy, and axe-core checks the page while the check runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from tests.e2e.test_portal import browser  # noqa: F401 - the module's Chromium, shared

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Playwright's sync API keeps an event loop in the test thread; the ORM calls made here are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def portal(live_server, office, front_queue, back_queue):
    for alias in ("default", "portal"):
        caches[alias].clear()
    yield live_server
    for alias in ("default", "portal"):
        caches[alias].clear()


@pytest.fixture
def page(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def guessed_ticket(portal):
    """A request whose reference others guessed on from other addresses: every lookup needs the check."""
    from faq.lookup import REFERENCE_ATTEMPTS, REFERENCE_WINDOW_SECONDS, _reference_digest
    from tickets.services import find_or_create_citizen, open_ticket

    citizen = find_or_create_citizen(email="owner@example.org", first_name="Owner")
    ticket = open_ticket(citizen=citizen, channel="email", subject="Permesso", text="Domanda")
    # What five wrong pairs from five addresses leave (the live server sees one address only).
    cache.set(f"portal:status:ref:{_reference_digest(ticket.reference)}", REFERENCE_ATTEMPTS, REFERENCE_WINDOW_SECONDS)
    return ticket


def submit_lookup(page, portal, reference: str, contact: str) -> None:
    page.goto(f"{portal.url}/it/status/")
    page.fill("#id_reference", reference)
    page.fill("#id_contact", contact)
    page.locator("form.portal-status-form button[type=submit]").click()


def test_the_page_passes_the_check_by_itself_and_opens_the_request(page, portal, guessed_ticket):
    asked, sent = [], []
    page.on("response", lambda r: asked.append(time.monotonic()) if r.request.method == "POST" else None)
    page.on("request", lambda r: sent.append(time.monotonic()) if "check_nonce=" in (r.post_data or "") else None)
    errors = []  # script errors, and what the Content-Security-Policy refused (a favicon's 404 is neither)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Refused" in message.text else None)

    submit_lookup(page, portal, guessed_ticket.reference, "owner@example.org")
    page.wait_for_url(f"**/it/status/{guessed_ticket.access_token}/", timeout=30_000)

    assert guessed_ticket.reference in page.locator("h1").inner_text()
    assert errors == []  # no CSP refusal, no script error
    solve_seconds = sent[0] - asked[0]
    print(f"\nbrowser check solved in Chromium in {solve_seconds:.2f} s")  # the measure, shown with -s
    assert solve_seconds < 20


def test_the_running_check_is_told_accessibly(page, portal, guessed_ticket, settings):
    settings.SPORTELLO_STATUS_CHECK_BITS = 40  # never done while we look
    submit_lookup(page, portal, guessed_ticket.reference, "owner@example.org")
    progress = page.locator("#status-check-progress")
    with translation.override("it"):
        working = translation.gettext("Checking your browser, this takes a few seconds…")
    progress.filter(has_text=working).wait_for(timeout=10_000)
    assert progress.get_attribute("role") == "status"
    assert page.locator("#status-check-wait").is_hidden()  # the no-JavaScript way is not offered
    page.add_script_tag(url=f"{portal.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert [f"{v['id']}: {v['help']}" for v in result["violations"]] == []
    # Pressing the button meanwhile sends nothing: the page stays on the check.
    page.locator("form.portal-status-form button[type=submit]").press("Enter")
    assert progress.inner_text() == working


def test_without_the_script_the_page_says_to_wait_and_press(page, portal, guessed_ticket):
    page.route("**/static/js/status-check.js", lambda route: route.abort())
    submit_lookup(page, portal, guessed_ticket.reference, "owner@example.org")
    hint = page.locator("#status-check-wait")
    hint.wait_for()
    assert hint.is_visible()
    assert "JavaScript" in hint.inner_text()
    assert page.locator("form.portal-status-form button[type=submit]").is_enabled()
