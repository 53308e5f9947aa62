"""Wrong guesses on the status lookup: nobody can lock a citizen out, nobody gets free guesses.

References are sequential. Guesses from one address are refused after five a minute, as before;
guesses on one reference from any address make every further try on it pass a browser check
(hashcash, faq.lookup) instead of refusing it, so the rightful citizen always gets in.
"""

import hashlib
import html
import re
import time

import pytest
from django.urls import reverse
from django.utils import translation

from faq.lookup import CHECK_BITS, CHECK_ITERATIONS

pytestmark = pytest.mark.django_db

ATTACKER, CITIZEN = "203.0.113.66", "198.51.100.20"
CHECK_FIELDS = re.compile(r'name="check_challenge" value="(?P<challenge>[^"]+)"')
CHECK_WORK = re.compile(r'data-check-bits="(?P<bits>\d+)" data-check-iterations="(?P<iterations>\d+)"')
NEUTRAL = (
    "We could not find a request with these details. Check the reference and the email "
    "or phone number you used, or follow the link in the acknowledgement."
)


def status_url(language="it", token=None):
    with translation.override(language):
        if token:
            return reverse("portal:status_token", args=[token])
        return reverse("portal:status")


def lookup(client, reference, contact, ip, language="it", **check):
    return client.post(status_url(language), {"reference": reference, "contact": contact, **check}, REMOTE_ADDR=ip)


def italian(text: str) -> str:
    with translation.override("it"):
        return translation.gettext(text)


def asked_to_check(response) -> dict | None:
    """The challenge of the browser check a page asks for, or None when it asks none."""
    found = CHECK_FIELDS.search(response.text)
    if found is None:
        return None
    work = CHECK_WORK.search(response.text)
    return {
        "challenge": html.unescape(found["challenge"]),
        "bits": int(work["bits"]),
        "iterations": int(work["iterations"]),
    }


def passes(check: dict, nonce: int) -> bool:
    derived = hashlib.pbkdf2_hmac("sha256", check["challenge"].encode(), str(nonce).encode(), check["iterations"])
    return int.from_bytes(derived, "big") >> (256 - check["bits"]) == 0


def solve(check: dict) -> dict:
    """What status-check.js does in the browser, in Python: the fields it sends back."""
    nonce = 0
    while not passes(check, nonce):
        nonce += 1
    return {"check_challenge": check["challenge"], "check_nonce": str(nonce)}


@pytest.fixture
def real_work():
    """The check as configured (about a second of work), not the light one of the other tests."""


@pytest.fixture(autouse=True)
def _light_work(request, settings):
    # Solved in Python, many times: a light check, except in the test that asks for the real one.
    if "real_work" not in request.fixturenames:
        settings.SPORTELLO_STATUS_CHECK_BITS, settings.SPORTELLO_STATUS_CHECK_ITERATIONS = 4, 50


def guess_wrong(client, reference, times, ip=ATTACKER):
    return [lookup(client, reference, f"guess{n}@example.org", ip=ip).status_code for n in range(times)]


def test_six_wrong_guesses_from_one_address_do_not_lock_the_citizen_out(client, ticket, real_work):
    # The tracker's report: an attacker guesses on a reference, the citizen gets 429 from elsewhere.
    assert guess_wrong(client, ticket.reference, 6) == [404, 404, 404, 404, 404, 429]

    answer = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN)

    assert answer.status_code != 429
    assert italian("Too many attempts. Wait a minute before trying again.") not in answer.text
    check = asked_to_check(answer)
    assert check is not None, "neither the status nor the check"
    assert answer.status_code == 200
    assert italian("One more step") in answer.text
    assert ticket.reference in answer.text  # the citizen sees which request is being opened
    assert 'src="/static/js/status-check.js"' in answer.text
    assert (check["bits"], check["iterations"]) == (CHECK_BITS, CHECK_ITERATIONS)  # the real work, ~1 s
    opened = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, **solve(check))
    assert opened.status_code == 302
    assert opened["Location"] == status_url("it", ticket.access_token)
    assert ticket.reference in client.get(opened["Location"]).text


def test_the_check_is_asked_on_every_address_once_a_reference_was_guessed(client, ticket, django_assert_num_queries):
    for n in range(5):
        guess_wrong(client, ticket.reference, 1, ip=f"192.0.2.{n}")
    with django_assert_num_queries(0):  # nothing is looked up before the check is passed
        fresh_address = lookup(client, ticket.reference, "guess@example.org", ip="192.0.2.200")
    assert asked_to_check(fresh_address) is not None
    assert italian(NEUTRAL).split(".")[0] not in fresh_address.text
    # The rightful citizen too, from anywhere: asked, never refused.
    assert asked_to_check(lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN)) is not None
    # Another reference is not concerned.
    other = lookup(client, "IST-2026-7777777", "guess@example.org", ip="192.0.2.201")
    assert other.status_code == 404 and asked_to_check(other) is None


def test_every_guess_past_the_threshold_costs_a_fresh_check(client, ticket):
    for n in range(5):
        guess_wrong(client, ticket.reference, 1, ip=f"192.0.2.{n}")
    check = asked_to_check(lookup(client, ticket.reference, "guess@example.org", ip="192.0.2.100"))
    solved = solve(check)

    wrong = lookup(client, ticket.reference, "guess@example.org", ip="192.0.2.100", **solved)
    assert wrong.status_code == 404  # a wrong pair with the check passed: the neutral answer, counted
    assert italian(NEUTRAL).split(".")[0] in wrong.text

    # The same solution again, from anywhere, even with the right pair: spent.
    replayed = lookup(client, ticket.reference, "youssef@example.org", ip="192.0.2.101", **solved)
    assert replayed.status_code == 200 and asked_to_check(replayed)["challenge"] != check["challenge"]
    assert italian("The check could not be confirmed or has expired. It starts again.") in replayed.text


def test_a_check_solved_for_one_reference_does_not_open_another(client, ticket):
    from tests.factories import open_test_ticket

    second = open_test_ticket(ticket.queue, ticket.citizen)
    for reference in (ticket.reference, second.reference):
        for n in range(5):
            guess_wrong(client, reference, 1, ip=f"192.0.2.{n}")
    solved = solve(asked_to_check(lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN)))
    elsewhere = lookup(client, second.reference, "youssef@example.org", ip=CITIZEN, **solved)
    assert elsewhere.status_code == 200 and asked_to_check(elsewhere) is not None
    assert lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, **solved).status_code == 302


@pytest.mark.parametrize("tamper", ["no work", "forged", "expired"])
def test_a_check_without_the_work_or_out_of_date_is_asked_again(client, ticket, monkeypatch, tamper):
    guess_wrong(client, ticket.reference, 5)
    check = asked_to_check(lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN))
    solved = solve(check)
    if tamper == "no work":
        solved["check_nonce"] = next(str(nonce) for nonce in range(100) if not passes(check, nonce))
    elif tamper == "forged":
        solved = solve({**check, "challenge": check["challenge"].replace(":", ":x", 1)})
    else:
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 11 * 60)
    again = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, **solved)
    assert again.status_code == 200
    assert asked_to_check(again) is not None
    assert italian("The check could not be confirmed or has expired. It starts again.") in again.text


def test_the_address_limit_stays_even_with_the_check_passed(client, ticket):
    assert guess_wrong(client, ticket.reference, 5) == [404] * 5
    check = asked_to_check(lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN))
    refused = lookup(client, ticket.reference, "guess@example.org", ip=ATTACKER, **solve(check))
    assert refused.status_code == 429
    assert italian("Too many attempts. Wait a minute before trying again.") in refused.text


def test_without_javascript_the_check_passes_after_a_wait_one_at_a_time(client, ticket, monkeypatch):
    from faq.lookup import CHECK_WAIT_SECONDS

    guess_wrong(client, ticket.reference, 5)
    first = asked_to_check(lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN))
    second = asked_to_check(lookup(client, ticket.reference, "guess@example.org", ip="192.0.2.9"))
    page = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, check_challenge=first["challenge"])
    assert italian("Please wait a few more seconds, then press “Show the status” again.") in page.text
    assert asked_to_check(page)["challenge"] == first["challenge"]  # the wait goes on, not from zero

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + CHECK_WAIT_SECONDS + 1)
    opened = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, check_challenge=first["challenge"])
    assert opened.status_code == 302
    # Waiting costs no CPU: one waited pass per reference at a time, from all addresses together.
    queued = lookup(client, ticket.reference, "guess@example.org", ip="192.0.2.9", check_challenge=second["challenge"])
    assert queued.status_code == 200 and asked_to_check(queued) is not None


def test_the_check_page_says_what_happens_in_the_page_language(client, ticket):
    guess_wrong(client, ticket.reference, 5)
    for language in ("it", "en", "fr", "es"):
        page = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN, language=language).text
        with translation.override(language):
            assert translation.gettext("Checking your browser, this takes a few seconds…") in html.unescape(page)
            assert translation.gettext("One more step") in page
        assert f'lang="{language}"' in page


def test_without_the_cache_the_lookup_is_refused_clearly_and_the_secret_link_works(client, ticket, settings):
    from django.test import override_settings

    # Redis down: nothing listens on port 1. Restored inside the test, before the caches are cleared.
    down = {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={**settings.CACHES, "default": down}):
        refused = lookup(client, ticket.reference, "youssef@example.org", ip=CITIZEN)
        wrong = lookup(client, ticket.reference, "guess@example.org", ip=CITIZEN)
        page = client.get(status_url("it", ticket.access_token))
    explained = italian(
        "Finding a request by its reference is not available at the moment. Follow the link in the "
        "acknowledgement we sent you, or try again in a few minutes."
    )
    for answer in (refused, wrong):
        assert answer.status_code == 503
        assert explained in html.unescape(answer.text)
    assert page.status_code == 200
    assert ticket.reference in page.text
