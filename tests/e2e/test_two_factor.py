"""A supervisor signs in through the real form and passes the TOTP step in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import complete_two_factor

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


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium missing: run `make system-packages`")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_supervisor_passes_totp_before_the_desk(browser, live_server, supervisor, settings):
    settings.SPORTELLO_TWO_FACTOR_ENFORCED = True
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", "password-for-tests")
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "/accounts/2fa/" in page.url
    assert page.locator("[data-totp-secret]").inner_text().strip()  # first time: the secret to enrol
    complete_two_factor(page, supervisor)
    page.wait_for_url("**/desk/")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
