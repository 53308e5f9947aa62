"""Template tags for partials the desk includes without knowing the faq app's context."""

from django import template

from tickets.refdata import cached_rows

from ..selectors import list_published_procedures

register = template.Library()


@register.simple_tag
def published_procedures() -> list:
    """On every desk ticket view: from the cache, dropped when a procedure or an office changes."""
    return cached_rows("published-procedures", list_published_procedures)
