"""Session rules for staff: idle timeout, and the second factor for supervisors and administrators."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .twofactor import requires_two_factor

IDLE_KEY = "sportello_last_seen"
# Write the timestamp at most this often: a session save per request would cost a query each time.
IDLE_WRITE_EVERY = 60


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
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        if last is None or now - int(last) >= IDLE_WRITE_EVERY:
            request.session[IDLE_KEY] = now
        return None

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        return (
            settings.SPORTELLO_TWO_FACTOR_ENFORCED
            and request.path.startswith(tuple(settings.SPORTELLO_TWO_FACTOR_PROTECTED_PREFIXES))
            and requires_two_factor(request.user)
            and not request.user.is_verified()
        )
