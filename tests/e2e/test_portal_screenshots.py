"""Regenerate docs/screenshots/portal-*.png: `SCREENSHOTS=1 pytest tests/e2e/test_portal_screenshots.py`.

Skipped otherwise (it writes files). Pages in Italian and English at 1366×768, the home page
on a 390 px wide phone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from .test_portal import CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to regenerate the screenshots")
def test_portal_screenshots(live_server, office, front_queue, back_queue, front_operator):
    from django.core.cache import caches
    from playwright.sync_api import sync_playwright

    from faq.demo import seed_faq
    from faq.models import Procedure
    from faq.services import request_appointment
    from tickets import services
    from tickets.services import find_or_create_citizen

    seed_faq()
    caches["default"].clear()
    caches["portal"].clear()
    office.address, office.city = "Via Teofilo Patini 23", "Roma"
    office.toll_free_number, office.whatsapp_number, office.email = (
        "+39800905570",
        "+393351234567",
        "immigrazione@example.org",
    )
    office.save()
    citizen = find_or_create_citizen(email="amina@example.org", first_name="Amina", last_name="Diallo", language="en")
    ticket = services.open_ticket(
        citizen=citizen,
        channel="web",
        subject="Renewal of my work permit",
        text="My permit expires next month. Which documents do I need?",
        language="en",
    )
    services.reply_to_ticket(
        actor=front_operator,
        ticket_id=ticket.pk,
        text="Good morning, you find the checklist below. You can also ask for an appointment.",
    )
    request_appointment(ticket=ticket, procedure=Procedure.objects.get(slug="rinnovo-permesso-lavoro-subordinato"))
    OUT.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    pages = {
        "home": "/{lang}/",
        "faq": "/{lang}/faq/",
        "faq-entry": "/{lang}/faq/permessi-di-soggiorno/quando-rinnovare-permesso/",
        "search": "/{lang}/search/?q={word}",
        "procedure": "/{lang}/procedures/rinnovo-permesso-lavoro-subordinato/",
        "offices": "/{lang}/offices/",
        "status": "/{lang}/status/" + ticket.access_token + "/",
    }
    words = {"it": "permessi", "en": "permits"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        desktop = browser.new_page(viewport={"width": 1366, "height": 768})
        for lang in ("it", "en"):
            for name, path in pages.items():
                desktop.goto(base + path.format(lang=lang, word=words[lang]))
                desktop.screenshot(path=str(OUT / f"portal-{name}-{lang}.png"))
        desktop.goto(f"{base}/en/request/")
        desktop.locator("#id_subject").press_sequentially("renew residence permit", delay=20)
        desktop.locator("#suggestions .portal-suggestion").first.wait_for(state="visible", timeout=10_000)
        desktop.locator("#suggestions").scroll_into_view_if_needed()
        desktop.screenshot(path=str(OUT / "portal-request-suggestions-en.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=1)
        phone.goto(f"{base}/it/")
        phone.screenshot(path=str(OUT / "portal-home-it-mobile.png"))
        phone.goto(f"{base}/en/procedures/rinnovo-permesso-lavoro-subordinato/")
        phone.screenshot(path=str(OUT / "portal-procedure-en-mobile.png"))
        browser.close()
