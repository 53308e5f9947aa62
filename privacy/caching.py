"""No copy of a page with personal data is kept by a browser or a proxy.

A shared proxy, or the back button of a public terminal, must never show a citizen's data to
the next person. One rule, applied after every view: the desk, the dashboards, the admin, the
API, the citizen's status pages, and anything answered to a signed-in person are
``Cache-Control: no-store``. A response that chose revalidation for itself (a polled fragment
with an ETag: ``private, no-cache``) keeps its choice; public pages (FAQ, portal) keep theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Everything under these URL namespaces shows or changes personal data.
PERSONAL_NAMESPACES = frozenset({"desk", "dashboard", "admin", "api", "portal_ops", "channels"})
# Portal pages reached with a citizen's secret link or reference.
PERSONAL_PORTAL_PAGES = frozenset(
    {"status", "status_token", "status_message", "request_thanks", "request_thanks_spam"}
)
# The same pages and areas by path, for answers given before a view was resolved (the status
# page's replay, a login redirect, refused input).
PERSONAL_PATH = re.compile(r"^/(desk|dashboard|admin|api)/|^/[a-z]{2}(-[a-z]+)?/(status|request/sent)/")


def is_personal(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return False  # the same files for everyone: browsers keep them
    match = getattr(request, "resolver_match", None)
    if match is not None:
        namespaces = set(match.namespaces)
        if namespaces & PERSONAL_NAMESPACES:
            return True
        if "portal" in namespaces and match.url_name in PERSONAL_PORTAL_PAGES:
            return True
    elif PERSONAL_PATH.match(request.path):
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session: nobody is signed in (and the session is not loaded for nothing)
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _revalidated(response: HttpResponse) -> bool:
    directives = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-cache"} <= directives and response.has_header("ETag")


class NoStoreForPersonalDataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_personal(request) and not _revalidated(response):
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
            if response.has_header("Expires"):
                del response["Expires"]
        return response
