"""Desk pages are never stale and never leaked: every request goes through the whole stack (no replay)."""

import re

import pytest
from django.urls import reverse

from tests.desk.helpers import desk_login
from tests.factories import open_test_ticket

pytestmark = pytest.mark.django_db


def _rows(response) -> list[str]:
    return re.findall(r'data-ticket-id="(\d+)"', response.content.decode())


def test_full_page_and_polled_partial_are_kept_apart(client, front_operator, front_queue, ticket, htmx):
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    assert b"<html" in client.get(url).content
    partial = client.get(url, headers=htmx)
    assert b"<html" not in partial.content
    assert _rows(partial) == [str(ticket.pk)]
    assert b"<html" in client.get(url).content


def test_a_ticket_change_is_shown_on_the_next_poll(
    client, front_operator, front_queue, ticket, htmx, django_capture_on_commit_callbacks
):
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    client.get(url, headers=htmx)
    with django_capture_on_commit_callbacks(execute=True):
        newer = open_test_ticket(front_queue, subject="Rinnovo urgente")
    assert str(newer.pk) in _rows(client.get(url, headers=htmx))


def test_each_session_gets_a_page_whose_csrf_token_works_for_it(client, front_operator, front_queue, ticket):
    from django.test import Client

    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    client.get(url)
    client.get(url)
    other = Client(enforce_csrf_checks=True)
    assert other.get(url).status_code == 302  # not logged in: the login page, not the cached list
    desk_login(other, front_operator)
    for _attempt in range(2):
        page = other.get(url)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)
        response = other.post(reverse("desk:set_presence"), {"presence": "busy"}, headers={"X-CSRFToken": token})
        assert response.status_code in (200, 204, 302)


def test_after_logout_the_old_cookie_gets_the_login_page(client, front_operator, front_queue, ticket):
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    client.get(url)
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = old_cookie  # someone kept the cookie
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_removed_from_the_queue_the_operator_stops_seeing_it_at_once(client, front_operator, front_queue, ticket):
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    assert client.get(url).status_code == 200
    front_operator.operator.queues.remove(front_queue)
    assert client.get(url).status_code == 404


def test_deactivated_user_is_logged_out_at_once(client, front_operator, front_queue, ticket):
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    assert client.get(url).status_code == 200
    front_operator.is_active = False
    front_operator.save(update_fields=["is_active"])
    assert client.get(url).status_code == 302


def test_a_flash_message_after_a_redirect_is_shown_once(client, front_operator, front_queue):
    desk_login(client, front_operator)
    home = reverse("desk:home")
    client.get(home)
    response = client.get(reverse("desk:next_ticket"), follow=True)  # nothing to do: a message, then home
    notice = "Nothing else is waiting for you."
    assert response.redirect_chain[-1][0] == home
    assert notice in response.content.decode()
    assert notice not in client.get(home).content.decode()


def test_ticket_view_shows_a_new_message_and_a_take_at_once(
    client, front_operator, ticket, django_capture_on_commit_callbacks
):
    from tickets import services
    from tickets.models import Channel

    desk_login(client, front_operator)
    url = reverse("desk:ticket", args=[ticket.pk])
    client.get(url)
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_inbound_message(ticket=ticket, channel=Channel.EMAIL, text="Ho trovato il passaporto")
    assert "Ho trovato il passaporto" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    page = client.get(url).content.decode()
    assert re.search(r"data-assignee>[^<]*\S", page)
    assert reverse("desk:take", args=[ticket.pk]) not in page


def test_a_ticket_view_is_not_shown_to_another_browser(client, front_operator, ticket):
    from django.test import Client

    desk_login(client, front_operator)
    url = reverse("desk:ticket", args=[ticket.pk])
    client.get(url)
    stranger = Client()
    response = stranger.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_every_view_of_a_ticket_is_logged_and_marks_the_viewer(client, front_operator, ticket):
    from django.core.cache import cache

    from operators.selectors import _viewers_key, list_ticket_viewers
    from privacy.models import AccessLog

    desk_login(client, front_operator)
    url = reverse("desk:ticket", args=[ticket.pk])
    assert client.get(url).status_code == 200
    cache.delete(_viewers_key(ticket.pk))
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(ticket=ticket, user=front_operator, action=AccessLog.Action.VIEW).count() == 2
    assert list_ticket_viewers(ticket.pk) == ["Anna Rossi"]


def test_no_desk_page_is_stored_by_a_browser_or_a_proxy(client, front_operator, ticket):
    desk_login(client, front_operator)
    for url in (reverse("desk:home"), reverse("desk:ticket", args=[ticket.pk])):
        assert "no-store" in client.get(url)["Cache-Control"], url
