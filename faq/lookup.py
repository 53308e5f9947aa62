"""Finding a request's status page from its reference and the email or phone used (no account).

Shared by the status view and the fast path in faq.pagecache, which answers a right lookup
before the middleware stack; anything else (a wrong pair, a refusal, a check to pass, a form
error) is answered by the view, which is also the only place where a wrong guess is counted.

Two limits, kept in the cache (Redis in production). One address gets STATUS_ATTEMPTS wrong pairs
a minute, then is refused for the rest of it. One reference, from any address, gets
REFERENCE_ATTEMPTS wrong pairs an hour; after that it is never refused (references are
sequential: an attacker could lock anyone out), but every further try on it, right or wrong,
needs the browser check below first. Without the cache neither limit can be kept: the lookup is
refused with a page saying so, and the secret link of the acknowledgement keeps working.

The browser check is hashcash, self-hosted: the server signs a challenge bound to the reference;
static/js/status-check.js finds a nonce such that PBKDF2-HMAC-SHA256(challenge, nonce,
CHECK_ITERATIONS) starts with CHECK_BITS zero bits (about a second in a browser), the server
verifies it with one such derivation and accepts each challenge once. Without JavaScript the challenge passes after a wait instead, and
only one such pass per reference every CHECK_WAIT_SECONDS, from all addresses together: so
guessing from many addresses costs each try real CPU, or waits in one line.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from contactcenter.cache import strict_cache

from . import selectors
from .forms import StatusLookupForm

try:
    from redis.exceptions import RedisError
except ImportError:  # the embedded setup's cache needs no Redis client
    RedisError = OSError

logger = logging.getLogger(__name__)

# Wrong status lookups allowed per minute per IP address: the 6th is refused.
STATUS_ATTEMPTS = 5
STATUS_WINDOW_SECONDS = 60
# Wrong lookups on one reference, from any address, after which each try on it needs the check.
# Counted over an hour from the first: the check costs the rightful citizen only a few seconds.
REFERENCE_ATTEMPTS = 5
REFERENCE_WINDOW_SECONDS = 3600

# The work: 2**CHECK_BITS derivations of CHECK_ITERATIONS on average, 4 million HMAC-SHA256 rounds,
# about a second in Chromium (docs/architecture.md); its check here, one derivation, takes 1.6 ms.
# Iterated rather than one SHA-256 per try: crypto.subtle.digest pays a promise per hash (115,000
# a second in Chromium), so a native attacker would hash 100 times faster than the citizen, while
# PBKDF2's rounds run natively in the browser too. SPORTELLO_STATUS_CHECK_BITS/_ITERATIONS override.
CHECK_BITS = 10
CHECK_ITERATIONS = 4000
CHECK_MAX_AGE_SECONDS = 600
# Without JavaScript: the wait before a challenge passes, and the least time between two such
# passes on one reference.
CHECK_WAIT_SECONDS = 20
_CHECK_SALT = "faq.lookup.status-check"
# What the cache raises when Redis cannot be reached (redis.ConnectionError is no OSError).
CACHE_ERRORS = (RedisError, OSError)


@dataclass
class Check:
    """The browser check a lookup must pass before its pair is looked up."""

    challenge: str
    bits: int
    iterations: int
    wait: int = CHECK_WAIT_SECONDS
    problem: str = ""  # "" asked for the first time; "failed", "early" (no-JS wait not over), "busy"


@dataclass
class Lookup:
    form: StatusLookupForm
    keys: tuple[str, str] = ("", "")  # the rate-limit counters: this address, this reference
    limited: bool = False  # this address made too many wrong tries: refused for the minute
    unavailable: bool = False  # the limits cannot be read (the cache is down): refused
    check: Check | None = None  # this reference needs the browser check, not passed by this request
    token: str | None = None  # the status page's secret, when the pair matched


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _reference_digest(reference: str) -> str:
    return hashlib.sha256(reference.strip().upper().encode()).hexdigest()[:32]


def _status_keys(request: HttpRequest, reference: str) -> tuple[str, str]:
    return f"portal:status:ip:{client_ip(request)}", f"portal:status:ref:{_reference_digest(reference)}"


def look_up_status(request: HttpRequest) -> Lookup:
    """Validate the posted form, check both limits (one MGET) and the check they may ask, then look the pair up.

    Counts no wrong try (count_wrong_try does); consumes the check's challenge when it passes.

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
    try:
        attempts = strict_cache().get_many(list(keys))  # `cache` would answer "no attempts" while down
        if attempts.get(keys[0], 0) >= STATUS_ATTEMPTS:
            return Lookup(form, keys, limited=True)
        if attempts.get(keys[1], 0) >= REFERENCE_ATTEMPTS:
            check = _pass_check(request.POST, _reference_digest(reference))
            if check is not None:
                return Lookup(form, keys, check=check)
    except CACHE_ERRORS:
        logger.warning("status lookup refused: the cache holding its limits cannot be reached", exc_info=True)
        return Lookup(form, keys, unavailable=True)
    return Lookup(form, keys, token=selectors.find_status_token(reference=reference, contact=contact))


def count_wrong_try(lookup: Lookup) -> None:
    """One wrong pair, on this address's counter (for a minute) and this reference's (for an hour)."""
    for key, window in zip(lookup.keys, (STATUS_WINDOW_SECONDS, REFERENCE_WINDOW_SECONDS), strict=True):
        try:
            if not cache.add(key, 1, timeout=window):
                cache.incr(key)  # keeps the window of the first wrong try
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
        except CACHE_ERRORS:
            logger.warning("a wrong status lookup could not be counted: the cache cannot be reached")


# ----------------------------------------------------------------------------- the browser check


def issue_check(reference_digest: str, *, problem: str = "") -> Check:
    """A new challenge for the reference: signed, so that the server keeps nothing until it comes back."""
    bits = int(getattr(settings, "SPORTELLO_STATUS_CHECK_BITS", CHECK_BITS))
    iterations = int(getattr(settings, "SPORTELLO_STATUS_CHECK_ITERATIONS", CHECK_ITERATIONS))
    payload = {
        "r": reference_digest,
        "b": bits,
        "i": iterations,
        "t": int(time.time()),
        "n": secrets.token_urlsafe(12),
    }
    challenge = signing.dumps(payload, salt=_CHECK_SALT)
    return Check(challenge=challenge, bits=bits, iterations=iterations, problem=problem)


def is_work_done(challenge: str, nonce: str, bits: int, iterations: int) -> bool:
    """PBKDF2-HMAC-SHA256(password=challenge, salt=nonce) starts with `bits` zero bits: what the browser searched."""
    if not (0 < len(nonce) <= 20 and nonce.isascii() and nonce.isdigit()):
        return False
    derived = hashlib.pbkdf2_hmac("sha256", challenge.encode(), nonce.encode(), iterations, 32)
    return int.from_bytes(derived, "big") >> (256 - bits) == 0


def _pass_check(posted, reference_digest: str) -> Check | None:
    """None when the posted check passes (its challenge is then spent); else the check to show."""
    challenge, nonce = posted.get("check_challenge", ""), posted.get("check_nonce", "")
    if not challenge:
        return issue_check(reference_digest)
    try:
        if len(challenge) > 300:  # ours are about 150 characters
            raise ValueError("not a challenge of ours")
        payload = signing.loads(challenge, salt=_CHECK_SALT, max_age=CHECK_MAX_AGE_SECONDS)
        bits, iterations, issued = int(payload["b"]), int(payload["i"]), int(payload["t"])
        bound = payload["r"] == reference_digest
    except (signing.BadSignature, KeyError, TypeError, ValueError):  # forged, expired or not ours
        return issue_check(reference_digest, problem="failed")
    if not bound:  # solved for another reference
        return issue_check(reference_digest, problem="failed")
    if nonce:
        if not is_work_done(challenge, nonce, bits, iterations):
            return issue_check(reference_digest, problem="failed")
    else:
        left = issued + CHECK_WAIT_SECONDS - time.time()
        if left > 0:
            return Check(challenge, bits, iterations, wait=math.ceil(left), problem="early")
        # One waited pass per reference at a time, whoever asks: waiting costs no CPU.
        if not cache.add(f"portal:status:waited:{reference_digest}", 1, timeout=CHECK_WAIT_SECONDS):
            return Check(challenge, bits, iterations, problem="busy")
    spent = hashlib.sha256(challenge.encode()).hexdigest()[:32]
    if not cache.add(f"portal:status:check:{spent}", 1, timeout=CHECK_MAX_AGE_SECONDS + 60):
        return issue_check(reference_digest, problem="failed")  # each challenge passes once
    return None


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
