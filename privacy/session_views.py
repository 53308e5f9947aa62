"""How long a staff session has left, and the one action that extends it (WCAG 2.2.1 Timing Adjustable)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .middleware import extend, seconds_left


def _state(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True, "remaining": 0}, status=401)
    return JsonResponse({"remaining": seconds_left(request), "idle": settings.SPORTELLO_SESSION_IDLE_SECONDS})


@never_cache
@require_GET
def session_state(request: HttpRequest) -> JsonResponse:
    # Asked by the page with the poll header: reading how long is left does not extend it.
    return _state(request)


@never_cache
@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    if request.user.is_authenticated:
        extend(request)
    return _state(request)
