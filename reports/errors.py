from django.utils.translation import gettext_lazy as _

from tickets.errors import DomainError


class ProblemNotFound(DomainError):
    status, code = 404, "problem_not_found"
    template = _("Recurring problem not found.")


class ProblemClosed(DomainError):
    status, code = 422, "problem_closed"
    template = _("The recurring problem “%(title)s” is closed: reopen it before linking requests.")


class InvalidFaqFile(DomainError):
    status, code = 422, "invalid_faq_file"
    template = _("The FAQ file cannot be imported: %(reason)s")


class CampaignNotFound(DomainError):
    status, code = 404, "campaign_not_found"
    template = _("Campaign not found.")


class CampaignClosed(DomainError):
    status, code = 422, "campaign_closed"
    template = _("The campaign “%(name)s” is already closed.")
