"""Session rules for staff: idle timeout, and the second factor for supervisors and administrators."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .twofactor import requires_two_factor

IDLE_KEY = "sportello_last_seen"
# Write the timestamp at most this often: a session save per request would cost a query each time.
IDLE_WRITE_EVERY = 60
# Sent by htmx-setup.js with every request an automatic refresh makes (hx-trigger="every …") and by
# session.js when it asks how long is left: the page asked, not the person, so the idle clock runs on.
POLL_HEADER = "X-Sportello-Poll"


def is_background(request: HttpRequest) -> bool:
    return request.headers.get(POLL_HEADER) == "1"


def seconds_left(request: HttpRequest) -> int:
    """How long this session may stay idle from now before it is closed."""
    last = request.session.get(IDLE_KEY)
    limit = settings.SPORTELLO_SESSION_IDLE_SECONDS
    return limit if last is None else max(0, limit - (int(time.time()) - int(last)))


def extend(request: HttpRequest) -> None:
    """A person said they are still here: the idle clock starts again."""
    request.session[IDLE_KEY] = int(time.time())


def stamp_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_KEY] = int(time.time())


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._idle_expired(request)
            if expired is not None:
                return expired
            if self._needs_second_factor(request):
                target = reverse("two_factor")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _idle_expired(self, request: HttpRequest) -> HttpResponse | None:
        now = int(time.time())
        last = request.session.get(IDLE_KEY)
        if last is not None and now - int(last) > settings.SPORTELLO_SESSION_IDLE_SECONDS:
            logout(request)
            if request.path == reverse(settings.LOGIN_URL):
                return None  # already going to sign in (a tab sent here by a poll that raced this request)
            return self._to_login(request)
        # Only a person's own action keeps the session open; the page's automatic refreshes do not.
        if last is None or (now - int(last) >= IDLE_WRITE_EVERY and not is_background(request)):
            request.session[IDLE_KEY] = now
        return None

    @staticmethod
    def _to_login(request: HttpRequest) -> HttpResponse:
        login = reverse(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # A fragment (a polled list, a form) must not get the login page swapped into it: send
            # the whole tab to the sign-in page, back to the page it was showing afterwards.
            page = request.headers.get("HX-Current-URL", "")
            allowed = url_has_allowed_host_and_scheme(page, {request.get_host()}, request.is_secure())
            parts = urlsplit(page)
            back = (parts.path + (f"?{parts.query}" if parts.query else "")) if allowed and page else "/desk/"
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{login}?{urlencode({'next': back})}"
            return response
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"expired": True, "login": login}, status=401)
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        return (
            settings.SPORTELLO_TWO_FACTOR_ENFORCED
            and request.path.startswith(tuple(settings.SPORTELLO_TWO_FACTOR_PROTECTED_PREFIXES))
            and requires_two_factor(request.user)
            and not request.user.is_verified()
        )
