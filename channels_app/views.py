"""Webhooks: check who is calling, store the raw body, answer. Processing happens in the worker.

Every endpoint answers only after the raw input is committed (store_inbound runs in its own
transaction and these views are never wrapped in ATOMIC_REQUESTS), so a sender that got
a 200 can forget the event: we have it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .adapters import twilio
from .base import InvalidInput
from .calls import record_call_event
from .pipeline import content_key, store_inbound

logger = logging.getLogger(__name__)


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


# ----------------------------------------------------------------------------- WhatsApp


def whatsapp_signature_ok(body: bytes, header: str) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


@csrf_exempt
@transaction.non_atomic_requests
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        given = request.GET.get("hub.verify_token", "")
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(token.encode(), given.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden("verification failed", content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    body = request.body
    if not whatsapp_signature_ok(body, request.headers.get("X-Hub-Signature-256", "")):
        logger.warning("WhatsApp webhook with a bad signature from %s refused", _client_ip(request))
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    # Meta retries a webhook it thinks failed with the same body: the body hash makes that a no-op.
    store_inbound(
        channel="whatsapp",
        raw=body,
        external_id=content_key(body),
        source="whatsapp-webhook",
        content_type=request.content_type or "",
        metadata={"remote_addr": _client_ip(request)},
    )
    return HttpResponse("OK", content_type="text/plain")


# ----------------------------------------------------------------------------- CTI (PBX call events)


@csrf_exempt
@transaction.non_atomic_requests
def cti_event(request: HttpRequest, token: str) -> HttpResponse:
    expected = settings.CTI_TOKEN
    if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        record_call_event(request.body, content_type=request.META.get("CONTENT_TYPE", ""), source="cti")
    except InvalidInput as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    # The generic CTI API lets the answer carry an action (reject, dial); we never ask for one.
    return JsonResponse({})


# ----------------------------------------------------------------------------- Twilio voicemail

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@csrf_exempt
@transaction.non_atomic_requests
def twilio_voicemail_webhook(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = request.body
    url = request.build_absolute_uri()
    if not twilio.signature_ok(url, body, request.headers.get("X-Twilio-Signature", "")):
        logger.warning("Twilio webhook with a bad signature from %s refused", _client_ip(request))
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    store_inbound(
        channel="voicemail",
        raw=body,
        external_id=twilio.inbound_key(body),
        source="twilio-webhook",
        content_type=request.content_type or "",
        metadata={"source": twilio.SOURCE, "received_at": timezone.now().isoformat(), "url": url[:500]},
    )
    # Twilio's <Record action> expects TwiML: an empty response ends the call politely.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
