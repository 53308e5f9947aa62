"""A staff session closes after the idle limit even with a desk tab open: only a person's action extends it."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from privacy.middleware import IDLE_KEY

POLL = {"HTTP_X_SPORTELLO_POLL": "1", "HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/desk/"}
# The desk's automatic refreshes: the caller pop-up (every 2 s), a queue list (5 s).
POLLED = ["desk:ringing", "desk:home"]


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[IDLE_KEY] = int(time.time()) - seconds
    session.save()


def _stamp(client) -> int:
    return client.session[IDLE_KEY]


@pytest.fixture
def operator_client(client, front_operator):
    client.force_login(front_operator)
    return client


@pytest.mark.parametrize("route", POLLED)
def test_automatic_refreshes_do_not_keep_the_session_open(operator_client, route):
    limit = settings.SPORTELLO_SESSION_IDLE_SECONDS
    _idle_for(operator_client, limit - 30)
    before = _stamp(operator_client)
    assert operator_client.get(reverse(route), **POLL).status_code == 200
    assert _stamp(operator_client) == before  # the poll did not count as activity
    _idle_for(operator_client, limit + 1)
    response = operator_client.get(reverse(route), **POLL)
    # The whole tab goes to the sign-in page (and back to the page afterwards); no login form in the list.
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fdesk%2F"
    assert operator_client.get(reverse("desk:home")).status_code == 302  # signed out


def test_a_persons_action_keeps_the_session_open(operator_client):
    _idle_for(operator_client, settings.SPORTELLO_SESSION_IDLE_SECONDS - 30)
    before = _stamp(operator_client)
    assert operator_client.get(reverse("desk:home")).status_code == 200
    assert _stamp(operator_client) > before


def test_a_page_loaded_after_the_limit_goes_to_the_sign_in_page(operator_client):
    _idle_for(operator_client, settings.SPORTELLO_SESSION_IDLE_SECONDS + 1)
    response = operator_client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fdesk%2F"


def test_the_page_can_ask_how_long_is_left_without_extending_it(operator_client):
    limit = settings.SPORTELLO_SESSION_IDLE_SECONDS
    _idle_for(operator_client, limit - 100)
    before = _stamp(operator_client)
    state = operator_client.get(reverse("session_state"), HTTP_X_SPORTELLO_POLL="1", HTTP_ACCEPT="application/json")
    assert state.status_code == 200
    assert 95 <= state.json()["remaining"] <= 100
    assert "no-store" in state["Cache-Control"]
    assert _stamp(operator_client) == before


def test_one_action_extends_the_session(operator_client):
    _idle_for(operator_client, settings.SPORTELLO_SESSION_IDLE_SECONDS - 100)
    extended = operator_client.post(reverse("session_extend"), HTTP_ACCEPT="application/json")
    assert extended.status_code == 200
    assert extended.json()["remaining"] >= settings.SPORTELLO_SESSION_IDLE_SECONDS - 1


def test_asking_after_the_limit_says_it_expired(operator_client):
    _idle_for(operator_client, settings.SPORTELLO_SESSION_IDLE_SECONDS + 1)
    state = operator_client.get(reverse("session_state"), HTTP_X_SPORTELLO_POLL="1", HTTP_ACCEPT="application/json")
    assert state.status_code == 401
    assert state.json()["expired"] is True


def test_the_desk_page_carries_the_warning_and_the_limit(operator_client):
    page = operator_client.get(reverse("desk:home")).content.decode()
    assert f'data-session-idle="{settings.SPORTELLO_SESSION_IDLE_SECONDS}"' in page
    assert 'id="session-warning"' in page and "data-session-extend" in page


def test_the_sign_in_page_opened_after_the_limit_is_shown_not_redirected_to_itself(operator_client):
    # A poll and the tab's own move to the sign-in page can race with the same expired session.
    _idle_for(operator_client, settings.SPORTELLO_SESSION_IDLE_SECONDS + 1)
    response = operator_client.get("/accounts/login/?next=/desk/")
    assert response.status_code == 200
    assert 'name="next" value="/desk/"' in response.content.decode()
    assert operator_client.get(reverse("desk:home")).status_code == 302  # signed out
