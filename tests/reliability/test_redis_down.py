"""Redis down (cache, rate limits, broker): intake still stores and answers, pages still work.

Through HTTP, with the cache and the broker pointed at a port where nothing listens (or at a
private redis-server that the test stops and starts again). Intake tests are transactional, so
that what happens after the commit (handing the input to a worker, queueing the acknowledgement)
runs inside the request, as in production.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.urls import reverse

from channels_app.models import InboundMessage
from tests.channels.test_whatsapp import text_payload
from tests.desk.helpers import desk_login
from tests.faq.test_requests import form_data, portal
from tickets.models import Message, Ticket

from .conftest import DEAD_REDIS, point_broker, point_cache

APP_SECRET = "reliability-app-secret"


def post_whatsapp(client, body: bytes):
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/whatsapp/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )


@pytest.fixture
def whatsapp_settings(settings, graph):
    settings.WHATSAPP_APP_SECRET = APP_SECRET


# ----------------------------------------------------------------------------- intake


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["down", "eager"])
def test_the_portal_request_is_registered_and_thanked_while_redis_is_down(
    client, portal_ready, cache_down, broker, monkeypatch, request
):
    if broker == "down":
        point_broker(monkeypatch, DEAD_REDIS)
    else:
        request.getfixturevalue("eager")
    response = client.post(portal("portal:request_new", "fr"), form_data())
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == portal("portal:request_thanks", "fr", ticket.access_token)
    assert ticket.citizen.email == "amina@example.org"
    assert InboundMessage.objects.get().state == InboundMessage.State.PROCESSED
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert ticket.reference in thanks.text
    acknowledgement = Message.objects.get(ticket=ticket, direction=Message.Direction.OUTBOUND)
    if broker == "down":
        # Kept PENDING for a worker once the broker is back; the citizen was not shown an error.
        assert acknowledgement.delivery_status == Message.Delivery.PENDING
    else:
        assert any(ticket.reference in message.body for message in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_signed_whatsapp_webhook_is_stored_and_answered_200_while_redis_is_down(
    client, whatsapp_settings, cache_down, broker_down
):
    response = post_whatsapp(client, text_payload("Buongiorno, il mio permesso scade", wamid="wamid.REDIS-DOWN-1"))
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    # Stored, not processed: it waits RECEIVED for the workers (the sweep once the broker is back).
    assert (inbound.channel, inbound.state) == ("whatsapp", InboundMessage.State.RECEIVED)
    # Meta delivering it again changes nothing.
    assert (
        post_whatsapp(
            client, text_payload("Buongiorno, il mio permesso scade", wamid="wamid.REDIS-DOWN-1")
        ).status_code
        == 200
    )
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_and_the_broker_up_a_drainer_is_still_woken(
    client, whatsapp_settings, cache_down, private_redis, monkeypatch
):
    # The drainer slots live in the cache: without it the input must still reach a worker now,
    # not at the next sweep.
    point_broker(monkeypatch, private_redis.url)
    response = post_whatsapp(client, text_payload("Buongiorno, il mio permesso scade", wamid="wamid.CACHE-DOWN-1"))
    assert response.status_code == 200
    published = [json.loads(raw) for raw in private_redis.client().lrange("celery", 0, -1)]
    assert [message["headers"]["task"] for message in published] == ["channels_app.tasks.drain_inbound"]


@pytest.mark.django_db
def test_the_mailbox_is_polled_without_its_lock_while_the_cache_is_down(cache_down, monkeypatch):
    from channels_app import imap

    mailbox = imap.Mailbox(name="email", host="127.0.0.1", port=1, user="desk", password="secret")
    polled = []
    monkeypatch.setattr(imap, "configured_mailboxes", lambda: [mailbox])
    monkeypatch.setattr(imap, "poll_mailbox", lambda box, batch: polled.append(box.name) or imap.PollResult(box.name))
    imap.poll_all()
    assert polled == ["email"]


# ----------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_the_desk_works_while_redis_is_down(client, front_operator, ticket, cache_down):
    desk_login(client, front_operator)
    for url in (
        reverse("desk:home"),
        reverse("desk:due"),
        reverse("desk:queue", args=[ticket.queue_id]),
        reverse("desk:ticket", args=[ticket.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert ticket.reference in client.get(reverse("desk:queue", args=[ticket.queue_id])).text
    presence = client.post(reverse("desk:ticket_presence", args=[ticket.pk]), headers={"HX-Request": "true"})
    assert presence.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_operator_replies_while_the_broker_is_down(client, front_operator, ticket, cache_down, broker_down):
    desk_login(client, front_operator)
    client.post(reverse("desk:take", args=[ticket.pk]), headers={"HX-Request": "true"})
    ticket.refresh_from_db()
    response = client.post(
        reverse("desk:reply", args=[ticket.pk]),
        {"text": "Servono passaporto e foto.", "version": ticket.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Servono passaporto e foto." in response.text
    reply = Message.objects.get(ticket=ticket, direction=Message.Direction.OUTBOUND)
    assert reply.delivery_status == Message.Delivery.PENDING  # sent by a worker once the broker is back


@pytest.mark.django_db
def test_faq_search_works_while_redis_is_down(client, seeded_faq, cache_down):
    response = client.get(portal("portal:search", "it"), {"q": "permesso di soggiorno"})
    assert response.status_code == 200
    assert "permesso" in response.text.lower()


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_down(client, front_operator, cache_down):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": front_operator.username, "password": "password-for-tests"})
    assert response.status_code == 302
    assert client.get(reverse("desk:home")).status_code == 200


@pytest.mark.django_db
def test_the_status_page_by_its_secret_link_works_while_redis_is_down(client, ticket, cache_down):
    page = client.get(portal("portal:status_token", "it", ticket.access_token))
    assert page.status_code == 200
    assert ticket.reference in page.text


@pytest.mark.django_db
def test_the_status_lookup_by_reference_is_refused_clearly_while_redis_is_down(client, ticket, cache_down):
    # Its limits cannot be kept without the cache: refused with a page saying so (a 503, never a 500).
    response = client.post(
        portal("portal:status", "en"), {"reference": ticket.reference, "contact": "youssef@example.org"}
    )
    assert response.status_code == 503
    assert "follow the link in the acknowledgement" in response.text.lower()


# ----------------------------------------------------------------------------- Redis coming back


@pytest.mark.django_db
def test_a_session_ended_during_the_outage_does_not_come_back_with_redis(client, settings, private_redis, monkeypatch):
    """Redis restarted with its AOF file still holds the session: it must not sign the cookie in again."""
    from contactcenter import cache as shared_cache
    from tests.factories import make_operator

    point_cache(settings, private_redis.url)
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0)  # Redis is tried again at once once back
    operator = make_operator(username="carla")
    desk_login(client, operator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("desk:home")).status_code == 200
    assert private_redis.client().dbsize() > 0  # the session is in Redis too

    private_redis.stop()
    response = client.post(reverse("logout"))  # the database forgets the session; Redis cannot be told
    assert response.status_code == 302
    private_redis.start()  # back, with the session still in its AOF file

    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, kept by someone
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_cache_is_used_again_once_redis_is_back(settings, private_redis, monkeypatch):
    from django.core.cache import cache

    from contactcenter import cache as shared_cache
    from contactcenter.cache import CacheUnavailable, strict_cache

    point_cache(settings, private_redis.url)
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0)
    private_redis.stop()
    cache.set("reliability:answer", 41)  # dropped, remembered
    assert cache.get("reliability:answer", "missing") == "missing"
    with pytest.raises(CacheUnavailable):
        strict_cache().get("reliability:answer")
    private_redis.start()
    cache.set("reliability:answer", 42)
    assert cache.get("reliability:answer") == 42
    assert strict_cache().get("reliability:answer") == 42
