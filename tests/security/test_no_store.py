"""No page with personal data may be kept by a browser's history or a shared proxy.

Walks every route of the desk, the dashboards, the admin and the API as a signed-in supervisor
(who can open them all), plus the citizen's status pages and an API call with a token, and
expects ``Cache-Control: no-store`` on each answer, refusals and redirects included.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from api.models import ApiToken
from tests.conftest import login_verified
from tickets.models import Ticket

from .test_idor_walk import all_routes

PERSONAL_PREFIXES = ("desk:", "dashboard:", "admin:", "api:", "portal_ops:")


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _kwargs(params: list[str], ticket: Ticket) -> dict:
    values = {"token": ticket.access_token, "reference": ticket.reference, "key": "topics", "fmt": "csv"}
    return {p: values.get(p, ticket.pk) for p in params}


def test_every_staff_page_and_api_answer_is_no_store(client, supervisor, ticket):
    login_verified(client, supervisor)
    findings, walked = [], 0
    for route, params in all_routes():
        if not route.startswith(PERSONAL_PREFIXES) or route.startswith("admin:") and params:
            continue
        try:
            url = reverse(route, kwargs=_kwargs(params, ticket)) if params else reverse(route)
        except NoReverseMatch:
            continue
        response = client.get(url)
        walked += 1
        if not _no_store(response):
            findings.append(f"{url} ({route}) {response.status_code}: Cache-Control {response.get('Cache-Control')!r}")
    assert walked > 40
    assert not findings, "\n".join(findings)


def test_a_signed_out_visit_to_the_desk_is_no_store_too(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert _no_store(response)


def test_the_citizens_status_pages_are_no_store(client, ticket):
    for url in (
        reverse("portal:status_token", kwargs={"token": ticket.access_token}),
        reverse("portal:request_thanks", kwargs={"token": ticket.access_token}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    lookup = client.post(reverse("portal:status"), {"reference": ticket.reference, "contact": ticket.citizen.email})
    assert _no_store(lookup)


def test_an_api_answer_to_a_token_is_no_store(client, front_operator, ticket):
    _token, key = ApiToken.issue(name="protocollo", user=front_operator, scope=ApiToken.Scope.READ)
    response = client.get(reverse("api:ticket-list"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert _no_store(response)


def test_public_pages_and_static_files_stay_cacheable(client, front_operator):
    client.force_login(front_operator)
    assert not _no_store(client.get("/static/js/htmx-setup.js"))


@pytest.mark.parametrize("path", ["/it/faq/", "/en/"])
def test_public_portal_pages_are_not_marked_personal(client, path, db):
    response = client.get(path)
    assert response.status_code == 200
    assert not _no_store(response)
