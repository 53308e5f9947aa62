"""Administration contacts for the portal's header and footer, and the page in other languages."""

from django.conf import settings
from django.urls import translate_url


def portal(request) -> dict:
    context = {
        "administration_name": getattr(settings, "SPORTELLO_ADMINISTRATION_NAME", ""),
        "administration_url": getattr(settings, "SPORTELLO_ADMINISTRATION_URL", ""),
        "contact_phone": getattr(settings, "SPORTELLO_CONTACT_PHONE", ""),
        "contact_email": getattr(settings, "SPORTELLO_CONTACT_EMAIL", ""),
        "contact_address": getattr(settings, "SPORTELLO_CONTACT_ADDRESS", ""),
        "contact_pec": getattr(settings, "SPORTELLO_CONTACT_PEC", ""),
    }
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "portal":
        # hreflang alternates: the same page in every language (query strings kept).
        path = request.get_full_path()
        context["portal_alternates"] = [
            (code, request.build_absolute_uri(translate_url(path, code))) for code in settings.LANGUAGE_CODES
        ]
    return context
