"""The citizen's status page (the secret link of the acknowledgement) answered before the middleware stack.

Two requests are answered here, the two a citizen makes most: the status page itself, replayed
from a cache, and a right lookup by reference and contact, answered with its redirect to that
page. Anything else goes through the whole stack.

The page.

Citizens reload their status page, and a notification or a campaign sends many of them to it at
once. A page is kept only after a request that went through everything (host check, security
headers, CSP, the view), per process (the "portal" cache), under a key made of the host and the
full path. It is replayed, headers and all, only while the ticket's version (one indexed SQL
lookup, bumped by every change of the ticket) is the one it was rendered with, and for at most
CACHE_SECONDS (automatic notices that do not bump the version show within that time).

The one part of the page that belongs to the visitor, the CSRF token of its forms, is stored as a
placeholder and filled in for each visitor with the secret Django's own CSRF middleware reads from
the visitor's cookie (or makes and sets, on a first visit). Not replayed: a request with a one-time
notice waiting (the messages cookie), and plain HTTP when the site redirects to HTTPS.

The lookup. The CSRF check is Django's middleware's own (process_request and process_view), the
form, the two rate limits and the query are the view's (faq.lookup); only a match that no limit
refuses is answered here. A form error, a refusal and a wrong pair (the only case that counts an
attempt) are left to the view, which renders them in the page's language.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware, get_token
from django.utils import translation

from .lookup import look_up_status, status_token_url
from .selectors import get_ticket_version_by_token

CACHE_SECONDS = 30
STATUS_PATH = re.compile(r"^/[a-z]{2}(?:-[a-z]{2,4})?/status/(?P<token>[A-Za-z0-9_-]{1,64})/$")
LOOKUP_PATH = re.compile(r"^/(?P<language>[a-z]{2}(?:-[a-z]{2,4})?)/status/$")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
CSRF_PLACEHOLDER = 'name="csrfmiddlewaretoken" value="\x00csrf\x00"'
# Headers that belong to one response, not to the page.
NOT_REPLAYED = frozenset({"content-length", "set-cookie", "date"})


_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def csrf_token_for(request: HttpRequest) -> str:
    """django.middleware.csrf.get_token, with the mask drawn from one os.urandom call.

    Django draws the mask's 32 characters one secrets.choice at a time: 0.2 ms, a tenth of a
    replayed page. The token is the same BREACH-masked secret (mask + secret shifted by the mask,
    modulo the alphabet) that Django's middleware unmasks and checks; the mask is 256 random bits
    written in base 62, so its bias is below 2**-60. A visitor without a CSRF secret gets one
    from Django itself.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return get_token(request)
    # Unlike get_token, the visitor's cookie (valid for CSRF_COOKIE_AGE, a year) is not sent
    # again on every page: building that Set-Cookie was a twentieth of a replayed page.
    base = len(CSRF_ALLOWED_CHARS)
    number = int.from_bytes(os.urandom(32), "big")
    mask = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, base)
        mask.append(digit)
    masked = (CSRF_ALLOWED_CHARS[(_CHAR_INDEX[char] + shift) % base] for char, shift in zip(secret, mask, strict=True))
    return "".join(CSRF_ALLOWED_CHARS[shift] for shift in mask) + "".join(masked)


def without_csrf(content: bytes) -> str:
    """A rendered page to keep for every visitor: its CSRF tokens replaced by a placeholder."""
    return CSRF_FIELD.sub(CSRF_PLACEHOLDER, content.decode())


def with_csrf(request: HttpRequest, page: str) -> str:
    """A kept page for this visitor: the placeholder filled with a token for its CSRF secret."""
    return page.replace(CSRF_PLACEHOLDER, f'name="csrfmiddlewaretoken" value="{csrf_token_for(request)}"')


def mark_status_cacheable(request: HttpRequest, version: int) -> None:
    """Called by the status view, with the version read before the page: this response may be replayed.

    Not when a one-time notice is shown: a replay would show it again.
    """
    if len(get_messages(request)) == 0:
        request._status_page_version = version


class StatusPageCacheMiddleware:
    """Near the top of MIDDLEWARE: a replayed page or a right lookup costs one SQL query and no view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return self.get_response(request)
        if request.method == "POST":
            lookup = LOOKUP_PATH.match(request.path_info)
            found = self._found(request, lookup["language"]) if lookup else None
            return found or self.get_response(request)
        match = STATUS_PATH.match(request.path_info) if request.method == "GET" else None
        # A one-time notice waiting (an emptied cookie is not one) is shown by the view.
        if match is None or request.COOKIES.get(settings.MESSAGE_COOKIE_NAME):
            return self.get_response(request)
        key = self._key(request)
        entry = caches["portal"].get(key)
        if entry is not None and entry[0] == get_ticket_version_by_token(match["token"]):
            return self._replay(request, entry)
        response = self.get_response(request)
        version = getattr(request, "_status_page_version", None)
        if version is not None and response.status_code == 200 and not response.streaming:
            headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_REPLAYED]
            caches["portal"].set(key, (version, without_csrf(response.content), headers), CACHE_SECONDS)
        return response

    def _found(self, request: HttpRequest, language: str) -> HttpResponse | None:
        """The redirect of a right lookup; None for anything the view must answer."""
        if language not in settings.LANGUAGE_CODES:
            return None
        request.get_host()  # refuses a host not allowed, as the full stack would
        self.csrf.process_request(request)
        # Any view not csrf_exempt would do: look_up_status stands for the status view here.
        if self.csrf.process_view(request, look_up_status, (), {}) is not None:
            return None  # refused: the full stack refuses it again, with its page
        with translation.override(language):
            lookup = look_up_status(request)
            return HttpResponseRedirect(status_token_url(lookup.token)) if lookup.token else None

    @staticmethod
    def _key(request: HttpRequest) -> str:
        raw = f"{request.get_host()}|{request.get_full_path()}"  # get_host() also refuses a host not allowed
        return "portal:status-page:" + hashlib.sha256(raw.encode()).hexdigest()

    def _replay(self, request: HttpRequest, entry: tuple[int, str, list[tuple[str, str]]]) -> HttpResponse:
        _version, page, headers = entry
        self.csrf.process_request(request)  # the visitor's CSRF cookie, if any, as the full stack reads it
        response = HttpResponse(with_csrf(request, page))
        for name, value in headers:
            response[name] = value
        return self.csrf.process_response(request, response)  # sets the CSRF cookie of a first visit
