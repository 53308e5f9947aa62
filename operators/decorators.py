"""The one gate in front of every desk view: who may use the desk, and in which language."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import translation

from tickets.access import can_use_desk, get_operator, is_supervisor


def operator_required(view=None, *, supervisor: bool = False):
    """Log in first; then only operators (supervisors, if asked) get in; the desk speaks their language.

    Which tickets an operator may see is decided per row by tickets.access (access_ticket,
    visible_tickets_filter); this decorator only decides who uses the desk at all.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A polled partial must not swap the login page into the list: reload the page.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = redirect_to_login(request.get_full_path()).url
                    return response
                return redirect_to_login(request.get_full_path())
            if not can_use_desk(user) or (supervisor and not is_supervisor(user)):
                raise PermissionDenied
            operator = get_operator(user)
            if operator is not None and operator.ui_language:
                translation.activate(operator.ui_language)
                request.LANGUAGE_CODE = operator.ui_language
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
