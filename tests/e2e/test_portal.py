"""The citizen portal in Chromium, in each of the four languages, with axe-core on every key page.

A citizen searches a word inflected differently from the text, opens the answer, writes a request
after seeing suggestions, gets the reference, follows the status. Wrong guesses on the status form
get one neutral answer and the sixth in a minute is refused. axe-core (WCAG 2.1 A/AA rules) must
report zero violations on home, FAQ list, FAQ entry, search results, request form and status page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Playwright's sync API keeps an event loop in the test thread; the ORM calls made here are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# language: (word searched, inflected differently from the text; expected question; subject typed)
CASES = {
    "it": ("permessi", "Quando devo chiedere il rinnovo del permesso di soggiorno?", "rinnovo permesso di soggiorno"),
    "en": ("permits", "When should I apply to renew my residence permit?", "renew residence permit"),
    "fr": (
        "titres",
        "Quand dois-je demander le renouvellement de mon titre de séjour ?",
        "renouvellement titre de séjour",
    ),
    "es": (
        "permisos",
        "¿Cuándo tengo que pedir la renovación del permiso de residencia?",
        "renovación permiso de residencia",
    ),
}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists() or not AXE.exists():
        pytest.skip("Chromium or axe-core missing: run `make system-packages assets`")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def portal(live_server, office, front_queue, back_queue):
    from faq.demo import seed_faq
    from faq.selectors import forget_search_generation

    seed_faq()
    for alias in ("default", "portal"):  # rate limits at zero, no page cached by an earlier test
        caches[alias].clear()
    forget_search_generation()
    yield live_server
    for alias in ("default", "portal"):
        caches[alias].clear()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page, live_server, name: str) -> None:
    # Loaded from the same origin, as the CSP (script-src 'self') allows.
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {violations}"


@pytest.mark.parametrize("language", ["it", "en", "fr", "es"])
def test_citizen_finds_an_answer_writes_and_follows_the_request(page, portal, language):
    word, question, subject = CASES[language]
    base = portal.url

    page.goto(f"{base}/{language}/")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, portal, f"home {language}")

    # Search from the box in the header, with a word inflected differently from the text.
    page.fill("#portal-search-q", word)
    page.press("#portal-search-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    result = page.get_by_role("link", name=question)
    assert result.is_visible()
    assert page.locator(".portal-snippet mark").count() >= 1
    assert_accessible(page, portal, f"search results {language}")

    result.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == question
    assert_accessible(page, portal, f"FAQ entry {language}")

    page.goto(f"{base}/{language}/faq/")
    assert page.get_by_role("link", name=question).is_visible()
    assert_accessible(page, portal, f"FAQ list {language}")

    # The request form suggests answers while the subject is typed.
    page.goto(f"{base}/{language}/request/")
    assert_accessible(page, portal, f"request form {language}")
    page.locator("#id_subject").press_sequentially(subject, delay=20)
    suggestion = page.locator("#suggestions .portal-suggestion").first
    suggestion.wait_for(state="visible", timeout=10_000)
    assert page.locator("#suggestions").get_by_text(question).count() >= 1
    assert_accessible(page, portal, f"request form with suggestions {language}")

    page.fill("#id_text", "Il mio permesso scade il mese prossimo. / My permit expires next month.")
    page.fill("#id_first_name", "Amina")
    page.fill("#id_last_name", "Diallo")
    page.fill("#id_email", f"amina.{language}@example.org")
    page.select_option("#id_language", language)
    page.locator("label[for=id_consent]").click()  # Bootstrap Italia draws the box on the label
    assert page.is_checked("#id_consent")
    page.locator("form.portal-request-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/request/sent/"))
    reference = page.locator("#request-reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z]+-\d{4}-\d{7}", reference)

    # Follow it with the secret link, then again with reference + email.
    page.locator("#follow-request").click()
    page.wait_for_load_state()
    assert reference in page.locator("h1").inner_text()
    assert page.locator("#ticket-status").is_visible()
    assert "Il mio permesso scade" in page.content()
    assert_accessible(page, portal, f"status page {language}")

    page.goto(f"{base}/{language}/status/")
    assert_accessible(page, portal, f"status form {language}")
    page.fill("#id_reference", reference.lower())
    page.fill("#id_contact", f"amina.{language}@example.org")
    page.locator("form.portal-status-form button[type=submit]").click()
    page.wait_for_load_state()
    assert reference in page.locator("h1").inner_text()


def test_wrong_guesses_get_one_neutral_answer_and_the_sixth_is_refused(page, portal):
    from tickets.models import Ticket
    from tickets.services import find_or_create_citizen, open_ticket

    citizen = find_or_create_citizen(email="owner@example.org", first_name="Owner")
    ticket = open_ticket(citizen=citizen, channel="email", subject="Permesso", text="Domanda")
    assert Ticket.objects.filter(reference=ticket.reference).exists()

    def attempt(reference: str, contact: str) -> str:
        page.goto(f"{portal.url}/en/status/")
        page.fill("#id_reference", reference)
        page.fill("#id_contact", contact)
        page.locator("form.portal-status-form button[type=submit]").click()
        page.wait_for_load_state()
        return page.locator("#form-errors").inner_text().strip()

    wrong_pair = attempt(ticket.reference, "someone.else@example.org")
    unknown = attempt("IST-2026-9999999", "someone.else@example.org")
    assert wrong_pair == unknown
    assert "could not find a request" in wrong_pair
    assert_accessible(page, portal, "status form with the neutral error")
    for _ in range(3):
        attempt("IST-2026-8888888", "x@example.org")
    refused = attempt(ticket.reference, "owner@example.org")  # the sixth try in the minute
    assert "Too many attempts" in refused
    assert "could not find" not in refused


@pytest.mark.parametrize("language", ["it", "fr"])
def test_other_portal_pages_are_accessible(page, portal, language):
    for name, path in {
        "procedures": "procedures/",
        "procedure": "procedures/rinnovo-permesso-lavoro-subordinato/",
        "offices": "offices/",
        "privacy": "privacy/",
        "FAQ topic": "faq/cittadinanza/",
    }.items():
        page.goto(f"{portal.url}/{language}/{path}")
        assert_accessible(page, portal, f"{name} {language}")
    # The language switcher keeps the page and remembers the choice.
    page.goto(f"{portal.url}/{language}/offices/")
    page.select_option("#language-select", "es")
    page.locator(".language-switcher-submit").click()
    page.wait_for_url(re.compile(r"/es/offices/$"))
    page.goto(f"{portal.url}/")
    assert page.url.endswith("/es/")
