"""django-csp's middleware with the site-wide policy built once per process instead of per response.

django-csp rebuilds the same header from the settings for every response: a dataclass copied,
every directive joined again (about 0.2 ms of a 1.5 ms portal request). Here a response that no
view customised (no csp_update/csp_replace/csp decorator, no nonce asked for) gets the header
built once; any other goes through django-csp unchanged. Changing the settings (tests) drops it.

Also BadInputMiddleware: a clear 400 for a path, query or form that is not readable text, and a
404 for a path id that no database integer can hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import parse_qsl

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .ids import MAX_ID

_CUSTOMISED = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_policies: dict[bool, tuple[str, tuple[str, ...]]] = {}


@receiver(setting_changed)
def _forget_policies(setting: str, **_kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _site_policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    """(header value, excluded path prefixes) of the settings' policy."""
    if report_only not in _policies:
        header = build_policy(**asdict(PolicyParts()), report_only=report_only)
        name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        prefixes = tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
        _policies[report_only] = (header, prefixes)
    return _policies[report_only]


class SitePolicyCSPMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        customised = any(getattr(response, name, None) is not None for name in _CUSTOMISED)
        if customised or getattr(request, "_csp_nonce", None) is not None or settings.DEBUG:
            return super().process_response(request, response)
        for report_only, header, exempt in (
            (False, HEADER, "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"),
        ):
            value, prefixes = _site_policy(report_only)
            if (
                value
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        # As django-csp: once the header is written, asking for a nonce is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


# ----------------------------------------------------------------------------- unreadable input

NUL = "\x00"


def _is_unreadable(text: str) -> bool:
    """A NUL (PostgreSQL text refuses it) or a lone surrogate (what surrogateescape makes of bytes
    that are not UTF-8, and what a JSON "\\udcff" decodes to: no database can encode it)."""
    return NUL in text or any("\ud800" <= char <= "\udfff" for char in text)


def _unreadable_field(encoded: bytes) -> str | None:
    """The name of the first field of a query string or urlencoded body that is not readable text.

    Django reads these with errors="replace" (a broken byte silently becomes U+FFFD) and keeps NUL
    bytes; parsed here with the same function (urllib's parse_qsl), but with errors="surrogateescape"
    so that a byte that is not UTF-8 can be told from a real U+FFFD. "" when the name itself is bad.
    """
    text = encoded.decode("utf-8", "surrogateescape")
    if "%" not in text and text.isascii() and NUL not in text:
        return None  # nothing percent-encoded and plain ASCII: readable (most requests)
    try:
        fields = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="surrogateescape",
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError:
        return None  # too many fields: Django refuses them itself (TooManyFieldsSent, a 400)
    for name, value in fields:
        if _is_unreadable(name):
            return ""
        if _is_unreadable(value):
            return name
    return None


class BadInputMiddleware:
    """Answer 400 with a clear message when the path, the query string or a form carries text that
    cannot be stored or searched: a NUL byte, bytes that are not UTF-8, a lone surrogate; and 404
    when a path id (<int:…>, any number of digits) is past what a database integer holds.

    Without it such text reached the views: PostgreSQL refuses NUL in text ("DataError", a 500) and
    Django turned broken UTF-8 into U+FFFD without telling anyone. Right after SecurityMiddleware;
    the check runs in process_view, once the language and the htmx flag of the request are known.
    Views that read their own body (webhooks, which store it verbatim, and the DRF API, whose
    serializers refuse NUL and surrogates with a 400) are csrf_exempt: their body is not read here.
    A cookie holding a NUL is dropped: the session table would be queried with it. An id past
    bigint names no row, but SQLite's driver raises OverflowError instead of finding none.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for name in [name for name, value in request.COOKIES.items() if NUL in value or NUL in name]:
            del request.COOKIES[name]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponseBase | None:
        if NUL in request.path_info:
            return _refuse(request, None)
        if any(isinstance(value, int) and not 0 <= value <= MAX_ID for value in view_kwargs.values()):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if query:
            field = _unreadable_field(query.encode("iso-8859-1", "replace"))  # WSGI: bytes as latin-1
            if field is not None:
                return _refuse(request, field)
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if request.content_type == "application/x-www-form-urlencoded":
            field = _unreadable_field(request.body)  # the bytes Django parses request.POST from
        elif request.content_type == "multipart/form-data":
            # Django decodes multipart fields with errors="replace": only a NUL is left to find.
            field = next(
                (
                    name if NUL not in name else ""
                    for name, value in request.POST.lists()
                    if NUL in name + "".join(value)
                ),
                None,
            )
        else:
            field = None
        return None if field is None else _refuse(request, field)


def _refuse(request: HttpRequest, field: str | None) -> HttpResponseBase:
    if field is None:
        message = _("The address contains characters that are not valid text. Check the link and try again.")
    elif field:
        message = _(
            "“%(field)s” contains characters that are not valid text (a null character or broken "
            "UTF-8). Remove them and try again."
        ) % {"field": field[:60]}
    else:
        message = _(
            "The data sent contains characters that are not valid text (a null character or broken "
            "UTF-8). Remove them and try again."
        )
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "invalid_text", "message": message}, status=400)
    # Rendered without the request: no context processor reads the bad path or query again.
    template = "errors/_inline.html" if getattr(request, "htmx", False) else "errors/bad_input.html"
    return HttpResponse(render_to_string(template, {"message": message, "code": "invalid_text"}), status=400)
