"""Finding a request's status page from its reference and the email or phone used (no account).

Shared by the status view and the fast path in faq.pagecache, which answers a right lookup
before the middleware stack; anything else (a wrong pair, a refusal, a form error) is answered by
the view, which is also the only place where a wrong guess is counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from . import selectors
from .forms import StatusLookupForm

# Wrong status lookups allowed per minute, per IP address and per reference: the 6th is refused.
STATUS_ATTEMPTS = 5
STATUS_WINDOW_SECONDS = 60


@dataclass
class Lookup:
    form: StatusLookupForm
    keys: tuple[str, str] = ("", "")  # the rate-limit counters: this address, this reference
    limited: bool = False
    token: str | None = None  # the status page's secret, when the pair matched


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _status_keys(request: HttpRequest, reference: str) -> tuple[str, str]:
    digest = hashlib.sha256(reference.strip().upper().encode()).hexdigest()[:32]
    return f"portal:status:ip:{client_ip(request)}", f"portal:status:ref:{digest}"


def look_up_status(request: HttpRequest) -> Lookup:
    """Validate the posted form, check both limits (one MGET), then look the pair up. Counts nothing.

    Once per request: when the fast path (faq.pagecache) leaves a lookup to the view, the view
    gets the same answer without a second form, MGET and query.
    """
    found = getattr(request, "_status_lookup", None)
    if found is None:
        found = request._status_lookup = _look_up(request)
    return found


def _look_up(request: HttpRequest) -> Lookup:
    form = StatusLookupForm(request.POST)
    if not form.is_valid():
        return Lookup(form)
    reference, contact = form.cleaned_data["reference"], form.cleaned_data["contact"]
    keys = _status_keys(request, reference)
    attempts = cache.get_many(list(keys))
    if max(attempts.get(keys[0], 0), attempts.get(keys[1], 0)) >= STATUS_ATTEMPTS:
        return Lookup(form, keys, limited=True)
    return Lookup(form, keys, token=selectors.find_status_token(reference=reference, contact=contact))


_status_token_urls: dict[str, tuple[str, str]] = {}


def status_token_url(token: str) -> str:
    """reverse("portal:status_token") for `token` in the active language, resolving the route once per language.

    Every right lookup answers with this redirect; tokens are URL-safe (secrets.token_urlsafe),
    so reverse() would not quote them either.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in settings.LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    if language not in _status_token_urls:
        with translation.override(language):
            prefix, suffix = reverse("portal:status_token", args=["token0"]).split("token0")
        _status_token_urls[language] = (prefix, suffix)
    prefix, suffix = _status_token_urls[language]
    return f"{prefix}{token}{suffix}"
