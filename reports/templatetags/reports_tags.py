from django import template

from ..forms import ProblemForm
from ..selectors import list_ticket_problems

register = template.Library()


@register.simple_tag(takes_context=True)
def ticket_problems(context, ticket) -> dict:
    """What _ticket_problems.html needs, so the desk can include it with only `ticket` in its context."""
    problems = list_ticket_problems(ticket)
    form = context.get("problem_form") or ProblemForm(prefix=f"problem-{ticket.pk}")
    return {**problems, "form": form}
