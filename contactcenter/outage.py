"""The database cannot be reached: a clear 503, never a bare 500 (settings: handler500 in contactcenter.urls).

Django turns any exception it was not told about into the 500 handler, wherever it was raised
(a view, a middleware loading the session, a template). This handler answers a
django.db.OperationalError or InterfaceError (PostgreSQL down, restarting, refusing connections,
SQLite locked past its timeout) with 503 and Retry-After, and any other error as Django does:

* webhooks and the CTI endpoint: a short text 503, so that the sender retries later (it was
  not stored: every store is one INSERT, committed before anything answers 200);
* the API and the health checks: JSON {"code": "unavailable", "message": …};
* pages: errors/unavailable.html, rendered without the request and without the database; when a
  citizen's form was being sent (a view marked with keep_input_when_unavailable), the page shows
  it again with what was typed, ready to be sent once more.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django import forms
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
MACHINE_PREFIXES = ("/api/", "/healthz", "/readyz")


def keep_input_when_unavailable(form_class: type[forms.Form], *, skip: tuple[str, ...] = ()) -> Callable:
    """Mark a view whose form, if the database fails while it is sent, is shown again as typed.

    Only the form class's declared fields are used (their labels, no database): the view itself
    may not be able to build its form (choices read from the database) at that moment. `skip`:
    fields not to send again (a honeypot).
    """

    def mark(view: Callable) -> Callable:
        view.unavailable_form = (form_class, skip)
        return view

    return mark


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage is a 503 (see the module); anything else Django's own 500."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_DOWN):
        return defaults.server_error(request)
    return answer_unavailable(request)


def answer_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The service is temporarily unavailable. Please try again in a few minutes.")
    path = request.path_info
    if path.startswith("/webhooks/"):
        response = HttpResponse("unavailable, retry later", content_type="text/plain", status=503)
    elif path.startswith("/api/v1/cti"):  # the PBX reads {"error"}, as in the endpoint's 400
        response = JsonResponse({"error": "unavailable, retry later"}, status=503)
    elif path.startswith(MACHINE_PREFIXES):
        response = JsonResponse({"code": "unavailable", "message": message}, status=503)
    else:
        context = {"message": message, **_typed_input(request)}
        response = HttpResponse(render_to_string("errors/unavailable.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # What the citizen typed may be on the page: no browser or proxy keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def _typed_input(request: HttpRequest) -> dict:
    """The form the citizen was sending, to show again: visible text fields, the others kept hidden."""
    match = getattr(request, "resolver_match", None)
    marked = getattr(getattr(match, "func", None), "unavailable_form", None)
    if request.method != "POST" or marked is None:
        return {}
    form_class, skip = marked
    try:
        posted, files = request.POST, request.FILES
    except Exception:  # the body itself could not be read: nothing to show again
        logger.warning("the form sent to %s could not be read again", request.path_info, exc_info=True)
        return {}
    fields, hidden, uploads = [], [], []
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.FileField):
            uploads.append({"name": name, "label": field.label})  # files cannot be kept: chosen again
            continue
        if name not in posted or name in skip:
            continue
        widget = field.widget
        if isinstance(field, forms.CharField) and not isinstance(widget, forms.HiddenInput):
            multiline = isinstance(widget, forms.Textarea)
            fields.append({"name": name, "label": field.label, "value": posted.get(name, ""), "multiline": multiline})
        else:  # choices and ticks: kept as they were chosen, sent again unchanged
            hidden.extend((name, value) for value in posted.getlist(name))
    return {
        "fields": fields,
        "hidden": hidden,
        "uploads": uploads,
        "action": request.get_full_path(),
        "csrf_token": get_token(request),
        "had_files": bool(files),
    }
