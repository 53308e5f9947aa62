"""The operator's own settings from the navbar: presence and desk language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..decorators import operator_required
from ..services import set_presence, set_ui_language


def _back(request):
    target = request.POST.get("next") or request.headers.get("referer") or ""
    # A path or an address of this site. A bare word ("x") passes the host check, and redirect()
    # would look it up as a view name and fail (a 500).
    if not target.startswith(("/", "http://", "https://")) or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = ""
    return target or reverse("desk:home")


@require_POST
@operator_required
def presence(request):
    operator = set_presence(actor=request.user, presence=request.POST.get("presence", ""))
    if request.htmx:
        from django.shortcuts import render

        return render(request, "desk/partials/_presence.html", {"operator": operator})
    return redirect(_back(request))


@require_POST
@operator_required
def language(request):
    operator = set_ui_language(actor=request.user, language=request.POST.get("language", ""))
    response = HttpResponse(status=204) if request.htmx else redirect(_back(request))
    if request.htmx:
        response["HX-Refresh"] = "true"  # the whole page in the new language
    # The login page and other non-desk pages follow the same choice.
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, operator.ui_language, samesite="Lax")
    return response
