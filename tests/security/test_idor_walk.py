"""No IDOR: walk EVERY named URL of the project (desk, dashboards, portal, admin, API router, webhooks)
with ids and tokens of a ticket the user must not see, and expect a refusal and no leak.

Data-driven from the URL resolver: a new route is covered the day it is added. Routes that are
public by design are listed in PUBLIC_ROUTES with the reason.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from tests.factories import CitizenFactory, open_test_ticket
from tickets import services
from tickets.models import Message, Ticket

# Public by design (the citizen portal, sign-in, API schema). A route listed here is still checked
# for leaks of the hidden ticket unless it takes the ticket's own secret token.
PUBLIC_ROUTES = {
    "login",
    "logout",
    "set_language",
    "two_factor",
    "api:schema",
    "api:docs",
    "javascript-catalog",
    # Probes for compose and load balancers: ok/unavailable words only; /readyz is 503 with no worker.
    "healthz",
    "readyz",
}
PUBLIC_NAMESPACES = {"portal", "faq"}
# Routes whose URL carries the ticket's unguessable secret token: knowing it is the permission.
TOKEN_IS_THE_PERMISSION = {"portal:status_token", "portal:request_thanks"}
REFUSED = {302, 400, 401, 403, 404, 405}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            names = list(getattr(pattern, "converters", {}) or {}) or list(pattern.regex.groupindex)
            yield f"{prefix}{entry.name}", [n for n in names if n != "format"]


def all_routes() -> list[tuple[str, list[str]]]:
    seen, routes = set(), []
    for name, params in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") and not re.search(r"_(change|history|delete)$", name):
            continue  # the admin's own pages are covered by its staff check; its object pages are walked
        key = (name, tuple(params))
        if key not in seen:
            seen.add(key)
            routes.append(key)
    return routes


@pytest.fixture
def hidden(back_queue, front_queue):
    """A back-office ticket, with its citizen, message and attachment, that a front-office operator cannot see."""
    citizen = CitizenFactory(first_name="Segreto", last_name="Nascosto", email="nascosto@example.org")
    ticket = open_test_ticket(
        back_queue,
        citizen,
        subject="Pratica riservata",
        attachments=[services.NewAttachment("riservato.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    return ticket


def _value(route: str, param: str, ticket: Ticket):
    lowered = f"{route}:{param}".lower()
    if "attachment" in lowered:
        return ticket.attachments.get().pk
    if "citizen" in lowered:
        return ticket.citizen_id
    if "message" in lowered:
        return ticket.messages.first().pk
    if "token" in param:
        return ticket.access_token
    if "reference" in param or param == "ref":
        return ticket.reference
    if param in ("object_id", "pk", "id", "ticket_id", "ticket"):
        return ticket.pk
    if param in ("slug", "topic", "procedure"):
        return "x"
    if param in ("lang", "language"):
        return "it"
    if param in ("app_label", "model_name"):
        return None
    return ticket.pk


def _url(route: str, params: list[str], ticket: Ticket) -> str | None:
    kwargs = {p: _value(route, p, ticket) for p in params}
    if any(v is None for v in kwargs.values()):
        return None
    if route.startswith("admin:"):
        # admin:tickets_ticket_change etc.: point each model's object page at the hidden rows.
        model = route.split(":", 1)[1].rsplit("_", 1)[0]
        objects = {
            "tickets_ticket": ticket.pk,
            "tickets_citizen": ticket.citizen_id,
            "tickets_message": ticket.messages.first().pk,
            "tickets_attachment": ticket.attachments.get().pk,
        }
        if model not in objects:
            return None
        kwargs = {"object_id": objects[model]}
    try:
        return reverse(route, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _secrets(ticket: Ticket) -> list[str]:
    return [ticket.reference, "nascosto@example.org", "Nascosto", "Pratica riservata", "riservato.pdf"]


def _state(ticket: Ticket):
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (fresh.status, fresh.assignee_id, fresh.version, fresh.tier, Message.objects.filter(ticket=ticket).count())


def _is_public(route: str) -> bool:
    return route in PUBLIC_ROUTES or route.split(":", 1)[0] in PUBLIC_NAMESPACES


def _plausible_form(ticket: Ticket) -> dict:
    """Valid-looking input for any action, so a view reaches its access check instead of stopping at the form."""
    return {
        "text": "testo",
        "reason": "motivo",
        "note": "nota",
        "outcome": "answered",
        "priority": "3",
        "official": "Dott. Rossi",
        "name": "Dott. Rossi",
        "expected_version": str(ticket.version),
        "version": str(ticket.version),
    }


def _check(client, route, url, method, ticket, *, anonymous: bool) -> str | None:
    try:
        if method == "post":
            response = client.post(url, _plausible_form(ticket), HTTP_HX_REQUEST="true")
        else:
            response = client.get(url)
    except Exception as error:  # a crash is a finding too: report it with the route
        return f"{method.upper()} {url} ({route}) raised {error!r}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if route in TOKEN_IS_THE_PERMISSION:
        return None
    if anonymous and response.status_code == 204 and "login" in response.get("HX-Redirect", ""):
        return None  # htmx is told to go to the sign-in page
    if _is_public(route):
        leaked = [s for s in _secrets(ticket) if s in text]
        return f"{method.upper()} {url} ({route}) leaks {leaked}" if leaked else None
    if response.status_code not in REFUSED:
        if response.status_code == 200 and not any(s in text for s in _secrets(ticket)) and not _has_object(route):
            return None  # a list or a page without the hidden ticket in it
        return f"{method.upper()} {url} ({route}) answered {response.status_code}"
    if response.status_code == 302 and anonymous and "login" not in response["Location"]:
        return f"{method.upper()} {url} ({route}) redirected anonymous to {response['Location']}"
    leaked = [s for s in _secrets(ticket) if s in text]
    if leaked:
        return f"{method.upper()} {url} ({route}) leaks {leaked} in a {response.status_code}"
    return None


def _has_object(route: str) -> bool:
    return any(params for name, params in all_routes() if name == route)


def test_the_walk_covers_the_api_router_and_the_desk():
    names = {name for name, _params in all_routes()}
    assert {"api:ticket-detail", "api:ticket-take", "api:attachment-download", "api:citizen-detail"} <= names
    assert any(name.startswith("desk:") for name in names)


@pytest.mark.parametrize("anonymous", [False, True], ids=["front-office-operator", "anonymous"])
def test_no_route_shows_or_changes_a_ticket_the_user_may_not_see(client, hidden, front_operator, anonymous):
    if not anonymous:
        client.force_login(front_operator)
    before = _state(hidden)
    findings, walked = [], 0
    for route, params in all_routes():
        if not params:
            continue
        url = _url(route, params, hidden)
        if url is None:
            continue
        walked += 1
        for method in ("get", "post"):
            finding = _check(client, route, url, method, hidden, anonymous=anonymous)
            if finding:
                findings.append(finding)
    assert walked > 20
    assert not findings, "\n".join(findings)
    assert _state(hidden) == before


def test_lists_do_not_show_a_ticket_the_user_may_not_see(client, hidden, front_operator, front_queue):
    open_test_ticket(front_queue)  # something the operator does see
    client.force_login(front_operator)
    findings = []
    for route, params in all_routes():
        if params or route.startswith("admin:"):
            continue
        try:
            url = reverse(route)
        except NoReverseMatch:
            continue
        finding = _check(client, route, url, "get", hidden, anonymous=False)
        if finding:
            findings.append(finding)
    assert not findings, "\n".join(findings)
