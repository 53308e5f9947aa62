"""Template tags for partials the desk includes without knowing the faq app's context."""

from django import template

from ..selectors import list_published_procedures

register = template.Library()


@register.simple_tag
def published_procedures() -> list:
    return list_published_procedures()
