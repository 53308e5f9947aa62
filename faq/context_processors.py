"""Administration contacts for the portal's header and footer, and the page in other languages."""

from functools import partial

from django.conf import settings
from django.utils import translation


def _alternates(request) -> list[tuple[str, str]]:
    # Portal routes are not translated (faq/urls.py): the same page in another language differs
    # by its prefix only. translate_url() resolved and reversed the path once per language.
    path = request.get_full_path()
    prefix = f"/{translation.get_language()}/"
    if not path.startswith(prefix):
        return []
    base = request.build_absolute_uri("/")
    rest = path[len(prefix) :]
    return [(code, f"{base}{code}/{rest}") for code in settings.LANGUAGE_CODES]


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
        # hreflang alternates: the same page in every language (query strings kept). A callable,
        # so pages without them (status pages) never compute them.
        context["portal_alternates"] = partial(_alternates, request)
    return context
