"""Domain errors: what a person did that the rules do not allow, told in their language."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    template = _("This cannot be done.")

    def __init__(self, **params: object) -> None:
        super().__init__(self.code)
        self.params = params

    @property
    def message(self) -> str:
        try:
            return str(self.template) % self.params
        except (KeyError, TypeError, ValueError):
            return str(self.template)

    def __str__(self) -> str:
        return self.message


class TicketNotFound(DomainError):
    status, code = 404, "not_found"
    template = _("Request not found.")


class TicketAlreadyTaken(DomainError):
    status, code = 409, "already_taken"
    template = _("Request %(reference)s is already handled by %(operator)s.")


class StaleTicket(DomainError):
    status, code = 409, "stale"
    template = _(
        "Request %(reference)s was changed by someone else while you were looking at it. "
        "Reload it and check before trying again."
    )


class IllegalTransition(DomainError):
    status, code = 422, "illegal_transition"
    template = _("Request %(reference)s cannot go from “%(from_status)s” to “%(to_status)s”.")


class ReasonRequired(DomainError):
    status, code = 422, "reason_required"
    template = _("Please give a reason.")


class TextRequired(DomainError):
    status, code = 422, "text_required"
    template = _("The message is empty.")


class MergeNotAllowed(DomainError):
    status, code = 422, "merge_not_allowed"
    template = _("Requests %(primary)s and %(duplicate)s cannot be merged: %(why)s")


class NotAllowed(DomainError):
    status, code = 403, "forbidden"
    template = _("You are not allowed to do this.")


class InvalidAssignee(DomainError):
    status, code = 422, "invalid_assignee"
    template = _("%(name)s cannot work on requests of this queue.")


class NoQueueConfigured(DomainError):
    status, code = 422, "no_queue"
    template = _("The office %(office)s has no %(tier)s queue.")


class CitizenNotFound(DomainError):
    status, code = 404, "not_found"
    template = _("Citizen not found.")
