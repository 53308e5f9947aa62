from functools import lru_cache

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from ..forms import ProblemForm
from ..selectors import list_ticket_problems

register = template.Library()


@lru_cache(maxsize=16)
def _empty_form_html(language: str) -> str:
    """The empty "new problem" form depends only on the language: rendering its widgets through the
    form renderer on every ticket view cost more than the rest of this section."""
    return mark_safe(ProblemForm(prefix=ProblemForm.PREFIX).as_div())  # noqa: S308 - our own form


@register.simple_tag(takes_context=True)
def ticket_problems(context, ticket) -> dict:
    """What _ticket_problems.html needs, so the desk can include it with only `ticket` in its context."""
    problems = list_ticket_problems(ticket)
    form = context.get("problem_form")
    if form is not None:  # sent back with its errors
        return {**problems, "form_html": form.as_div(), "form_errors": bool(form.errors)}
    return {**problems, "form_html": _empty_form_html(translation.get_language() or ""), "form_errors": False}
