"""{% privacy_notice_url lang %}: the absolute link to the privacy notice in a language (emails, forms)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

register = template.Library()


@register.simple_tag
def privacy_notice_url(language: str = "", absolute: bool = True) -> str:
    language = language if language in settings.LANGUAGE_CODES else translation.get_language() or "it"
    with translation.override(language):
        path = reverse("portal:privacy")
    return f"{settings.SPORTELLO_PUBLIC_URL.rstrip('/')}{path}" if absolute else path


@register.simple_tag
def session_idle_seconds() -> int:
    """The idle limit of staff sessions, for session.js's warning before it is reached."""
    return settings.SPORTELLO_SESSION_IDLE_SECONDS
