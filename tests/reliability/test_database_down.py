"""PostgreSQL down: a clear 503 (the citizen's form shown again as typed), webhooks 5xx so the sender retries.

database_down makes every SQL statement fail the way a lost server does (django.db.OperationalError),
so the failure happens wherever the first query is: the form's choices, the store, the session.
On PostgreSQL one more test points the real connection at a port where nothing listens.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from channels_app.models import InboundMessage
from tests.channels.test_whatsapp import text_payload
from tests.faq.test_requests import form_data, portal
from tickets.models import Ticket

from .test_redis_down import APP_SECRET

pytestmark = pytest.mark.django_db


def resend_form(page: str) -> dict[str, str]:
    """What the 503 page's form would send again: its inputs and text areas, with their values."""
    form = page[page.index('id="unavailable-resend"') :]
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="(?:hidden|text)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(value)
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_the_request_form_comes_back_with_what_the_citizen_typed(unsafe_client, portal_ready, database_down):
    typed = form_data(text="Mon titre expire le 3 mars.\nQue dois-je apporter ?")
    response = unsafe_client.post(portal("portal:request_new", "fr"), typed)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    page = html.unescape(response.text)
    assert 'lang="fr"' in page
    with translation.override("fr"):
        assert translation.gettext("Service temporarily unavailable") in page
        assert translation.gettext("Send again") in page
    assert f'action="{portal("portal:request_new", "fr")}"' in response.text
    sent_again = resend_form(response.text)
    for field in ("first_name", "last_name", "email", "subject", "text", "language", "topic", "consent"):
        assert sent_again[field] == typed[field], field
    assert "website" not in sent_again  # the honeypot is not sent again


def test_the_form_shown_again_registers_the_request_once_the_database_is_back(
    unsafe_client, portal_ready, eager, database_down
):
    response = unsafe_client.post(portal("portal:request_new", "fr"), form_data())
    assert response.status_code == 503
    database_down.undo()  # the database is back
    again = unsafe_client.post(portal("portal:request_new", "fr"), resend_form(response.text))
    assert again.status_code == 302
    assert Ticket.objects.get().citizen.email == "amina@example.org"


def test_a_page_answers_a_clear_503_while_the_database_is_down(unsafe_client, ticket, database_down):
    from django.core.cache import caches

    caches["portal"].clear()  # a page kept by this process would still be served, without the database
    for url in (portal("portal:home", "it"), portal("portal:status_token", "it", ticket.access_token)):
        response = unsafe_client.get(url)
        assert response.status_code == 503, url
        assert 'data-error-code="unavailable"' in response.text
        with translation.override("it"):
            assert translation.gettext(
                "The service is temporarily unavailable. Please try again in a few minutes."
            ) in (html.unescape(response.text))


def test_the_desk_answers_503_when_the_session_cannot_be_read(unsafe_client, database_down):
    # A session cookie sends the middleware to the database: the failure is in a middleware, not a view.
    unsafe_client.cookies["sessionid"] = "a" * 32
    response = unsafe_client.get(reverse("desk:home"))
    assert response.status_code == 503


def test_webhooks_answer_5xx_so_that_the_sender_retries(unsafe_client, settings, database_down):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.CTI_TOKEN = "cti-token"
    body = text_payload("Buongiorno, il mio permesso scade", wamid="wamid.DB-DOWN-1")
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    whatsapp = unsafe_client.post(
        "/webhooks/whatsapp/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert whatsapp.status_code == 503
    assert whatsapp["Retry-After"]
    cti = unsafe_client.post(
        "/api/v1/cti/cti-token", data=b'{"event": "ringing", "call_id": "c1"}', content_type="application/json"
    )
    assert cti.status_code == 503
    assert cti.json() == {"error": "unavailable, retry later"}


def test_the_api_answers_a_json_503(unsafe_client, database_down):
    response = unsafe_client.get("/api/v1/tickets/", HTTP_AUTHORIZATION="Bearer some-token")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_an_unexpected_error_is_still_a_500(unsafe_client, monkeypatch):
    from faq.views import portal as portal_views

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(portal_views.selectors, "list_offices", broken)
    response = unsafe_client.get(portal("portal:offices", "it"))
    assert response.status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_postgresql_really_unreachable_webhooks_and_readyz_answer_503(unsafe_client, settings):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    body = text_payload("Buongiorno, il mio permesso scade", wamid="wamid.PG-DOWN-1")
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: every connection is refused
    try:
        webhook = unsafe_client.post(
            "/webhooks/whatsapp/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
        )
        ready = unsafe_client.get("/readyz")
        page = unsafe_client.get(portal("portal:home", "it"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert webhook.status_code == 503
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    assert page.status_code == 503
    assert not InboundMessage.objects.exists()  # nothing half-written; Meta sends it again
