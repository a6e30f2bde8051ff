"""The contract's error format: `{"error": {"code": "<snake_case>", "message": "<sentence>"}}`.

Every error of the REST API passes through `exception_handler`, so no path answers HTML or 500
for bad input.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import ServiceError


class ApiError(exceptions.APIException):
    """A domain error with an explicit code, raised by views and translated into the format."""

    def __init__(self, code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=message, code=code)
        self.status_code = http_status
        self.error_code = code


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": str(message)}
    error.update(extra)
    return {"error": error}


def error_json(code: str, message: str, http_status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=http_status)


def _first_message(detail: Any) -> tuple[str, str]:
    """Flatten DRF's nested validation detail into a field path and its first sentence."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            path, message = _first_message(value)
            field = str(key) if key != "non_field_errors" else ""  # list items: int keys
            return (f"{field}.{path}" if path else field).strip("."), message
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return "", str(detail)


_SIMPLE: dict[type[exceptions.APIException], tuple[str, Any]] = {
    exceptions.NotAuthenticated: ("not_authenticated", gettext_lazy("Authentication is required.")),
    exceptions.AuthenticationFailed: (
        "not_authenticated",
        gettext_lazy("The credentials are invalid or have expired."),
    ),
    exceptions.PermissionDenied: ("forbidden", gettext_lazy("You are not allowed to do this.")),
    exceptions.NotFound: ("not_found", gettext_lazy("Not found.")),
    exceptions.MethodNotAllowed: (
        "method_not_allowed",
        gettext_lazy("This method is not allowed here."),
    ),
    exceptions.UnsupportedMediaType: (
        "unsupported_media_type",
        gettext_lazy("Send the request body as application/json."),
    ),
    exceptions.NotAcceptable: ("not_acceptable", gettext_lazy("This API answers JSON only.")),
    exceptions.Throttled: ("rate_limited", gettext_lazy("Too many requests. Slow down and retry.")),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request body is larger than 1 MiB.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)

    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        body = error_body("malformed_json", _("The request body is not valid JSON."))
    elif isinstance(exc, exceptions.ValidationError):
        field, message = _first_message(exc.detail)
        text = f"{field}: {message}" if field else message
        body = error_body("invalid", text, fields=exc.detail)
    else:
        code, simple_message = next(
            ((c, m) for cls, (c, m) in _SIMPLE.items() if isinstance(exc, cls)),
            ("error", exc.detail),
        )
        body = error_body(code, str(simple_message))
    response.data = body
    return response
