from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    """Turn a DomainError raised by a view into a clear answer instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "errors/_inline.html" if getattr(request, "htmx", False) else "errors/domain_error.html"
        return render(
            request, template, {"message": exception.message, "code": exception.code}, status=exception.status
        )
