"""Desk pages replayed from Redis without running the middleware stack and the view again.

Every operator's browser polls its list every 5 s, and the same operator reloads it between
tickets: most list requests ask for a page that was just rendered for the same session. The
ticket view is replayed the same way when the operator comes back to it (from the list, after a
reload) and nothing on the desk changed since; its replay still does what viewing a ticket must
do each time: the access is logged (GDPR) and the operator is marked as looking at it. A page
is stored only after a request that went through everything (session, login, idle timeout,
second factor, the operator gate and the queue permission check), under a key made of a hash of
the session cookie, the full path and whether it is the htmx partial. It is replayed, headers
and all, only while

- nothing a desk list shows has changed (the desk generation, bumped after every ticket change
  and every change to operators, their users, groups or queues, is the one it was rendered in),
- the session has not logged out (logout leaves a revocation mark for the old cookie), and
- LIST_CACHE_SECONDS have not passed (so the overdue marks follow the clock and an idle session
  still times out: the idle check ran at most that long ago).

One Redis round trip (MGET) decides; a miss costs that round trip and nothing else.

What a replay may show stale, for at most LIST_CACHE_SECONDS: a delivery receipt (sent,
delivered, read: receipts do not change the ticket; a failure does) and who else has the ticket
open (the page polls that every 3 s anyway).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from privacy.services import record_ticket_view

from .selectors import GENERATION_KEY, LIST_CACHE_SECONDS
from .services import mark_ticket_viewer

PREFIX = "/desk/"
REVOKED_SECONDS = LIST_CACHE_SECONDS * 2
# Headers that belong to one response, not to the page.
NOT_REPLAYED = frozenset({"content-length", "set-cookie", "date"})


def _session_digest(request: HttpRequest) -> str | None:
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not cookie:
        return None
    return hashlib.sha256(f"desk-page|{cookie}".encode()).hexdigest()[:40]


def _revoked_key(digest: str) -> str:
    return f"desk:page:revoked:{digest}"


def _page_key(digest: str, request: HttpRequest) -> str:
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"desk:page:{digest}:{'p' if partial else 'f'}:{path}"


class TicketView(NamedTuple):
    """What a replayed ticket view must still record: who saw which ticket (and citizen)."""

    user_id: int
    username: str
    display_name: str
    ticket_id: int
    citizen_id: int | None


def note_ticket_view(viewed: TicketView) -> None:
    """What viewing a ticket does each time, rendered or replayed: the access log (GDPR) and "also here"."""
    record_ticket_view(
        user_id=viewed.user_id, username=viewed.username, ticket_id=viewed.ticket_id, citizen_id=viewed.citizen_id
    )
    mark_ticket_viewer(user_id=viewed.user_id, ticket_id=viewed.ticket_id, name=viewed.display_name)


def mark_cacheable(request: HttpRequest, generation: int, *, viewed: TicketView | None = None) -> None:
    """Called by a desk view: this response may be replayed while `generation` is current.

    `generation` must be read before the view reads what it shows. Not when flash messages are
    shown: a replay would show them again.
    """
    if len(get_messages(request)) == 0:
        request._desk_page_generation = generation
        request._desk_page_viewed = viewed


def revoke_session(sender, request, user, **kwargs) -> None:
    """user_logged_out: the old cookie's pages are not replayed any more (the key is unknown here)."""
    if request is None:
        return
    digest = _session_digest(request)
    if digest:
        cache.set(_revoked_key(digest), 1, REVOKED_SECONDS)


class DeskPageCacheMiddleware:
    """First in MIDDLEWARE: a hit answers before anything else runs; a miss runs the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        digest = _session_digest(request)
        if digest is None or request.COOKIES.get(settings.MESSAGE_COOKIE_NAME):  # a flash message to show
            return self.get_response(request)
        key = _page_key(digest, request)
        revoked = _revoked_key(digest)
        found = cache.get_many([key, GENERATION_KEY, revoked])
        entry = found.get(key)
        if entry is not None and revoked not in found and entry[0] == found.get(GENERATION_KEY):
            return _replay(*entry)
        response = self.get_response(request)
        generation = getattr(request, "_desk_page_generation", None)
        # Its cookies (a session expiry pushed back, a first CSRF cookie) are not replayed: the
        # browser keeps them, and the page's CSRF token stays valid with them.
        if generation is not None and response.status_code == 200 and not response.streaming:
            headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_REPLAYED]
            viewed = getattr(request, "_desk_page_viewed", None)
            cache.set(key, (generation, response.content, headers, viewed), LIST_CACHE_SECONDS)
        return response


def _replay(
    _generation: int, content: bytes, headers: list[tuple[str, str]], viewed: TicketView | None = None
) -> HttpResponse:
    if viewed is not None:
        note_ticket_view(viewed)
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response
