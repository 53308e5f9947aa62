from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from tickets.access import get_operator

from .models import ApiToken


class IsStaffOperator(BasePermission):
    """Staff with an operator profile (or a superuser); citizens use the portal, not the API."""

    message = _("Only contact-center staff may use this API.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.is_superuser or get_operator(user) is not None)


class TokenScope(BasePermission):
    """A read-scoped token may only read."""

    message = _("This API token is read-only.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in SAFE_METHODS:
            return token.can_write
        return True
