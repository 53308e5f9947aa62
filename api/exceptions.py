"""One error shape for the whole API: {"code", "message"} (+ "errors" per field for bad input)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.errors import DomainError


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Per-field messages for invalid input.")


def _encodable(detail):
    """Messages quote the input ('"x" is not a valid choice.'): a lone surrogate sent in JSON
    ("\\udcff") cannot be encoded as UTF-8 and the renderer failed (a 500). It is shown escaped."""
    if isinstance(detail, dict):
        return {_encodable(key): _encodable(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_encodable(value) for value in detail]
    if isinstance(detail, str) and any("\ud800" <= char <= "\udfff" for char in detail):
        return detail.encode("utf-8", "backslashreplace").decode("utf-8")
    return detail


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "message": exc.message}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: a logged 500
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "message": _("Check the data sent."), "errors": _encodable(detail)}
    else:
        detail = exc.detail
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"code": code if isinstance(code, str) else "error", "message": _encodable(str(detail))}
    return response
